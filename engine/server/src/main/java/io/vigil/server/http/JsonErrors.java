package io.vigil.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty itself gives before a request reaches the API (a request line or headers it cannot parse, headers
 * too large, a request too slow): the API's own error shape, {@code {"error": "One sentence."}}, with the same
 * security headers, never an HTML page or an echo of the request.
 */
final class JsonErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        if (status < 400) {
            status = 500;
        }
        byte[] body = Json.write(Map.of("error", sentence(status))).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("Cache-Control", "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    static String sentence(int status) {
        return switch (status) {
            case 400 -> "The request is not valid HTTP.";
            case 408 -> "The request took too long to arrive.";
            case 413 -> "The request is larger than this server takes.";
            case 414 -> "The request's target is too long.";
            case 431 -> "The request's headers are larger than this server takes.";
            case 505 -> "This server speaks HTTP/1.1 and HTTP/1.0 only.";
            default -> status >= 500 ? "The server failed to answer this request; its log says why."
                    : "The request was refused (HTTP " + status + ").";
        };
    }
}
