package io.vigil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its answer, over Jetty's core {@link Request}, {@link Response} and {@link Callback}: what the
 * API's handlers read and how they answer. Every {@code send} completes the exchange; a streamed answer (SSE) is
 * written with {@link #write} and ended with {@link #end} or {@link #abort}. Handlers run on virtual threads, so the
 * blocking calls here hold no platform thread.
 */
final class Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private Access.Role role = Access.Role.NONE;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    String method() {
        return request.getMethod();
    }

    /** The path as sent, still percent-encoded. */
    String rawPath() {
        String path = request.getHttpURI().getPath();
        return path == null ? "" : path;
    }

    /** The query as sent (percent-encoded), or null. */
    String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** The request line's target, for a log line. */
    String target() {
        return request.getHttpURI().getPathQuery();
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The client's address (the TCP peer's, not a header's). */
    InetAddress remoteAddress() {
        SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** Who the request proved to be (set once its route is authorized). */
    Access.Role role() {
        return role;
    }

    void role(Access.Role proved) {
        this.role = proved;
    }

    /** A cookie's value, or null. */
    String cookie(String name) {
        for (org.eclipse.jetty.http.HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }

    /** The connector (port) the request came in on. */
    Connector connector() {
        return request.getConnectionMetaData().getConnector();
    }

    /** Sets a response header, replacing any earlier value. */
    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Adds a response header beside earlier ones (Set-Cookie). */
    void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    /** The request body as a blocking stream; the caller bounds how much it reads. */
    InputStream body() {
        return Request.asInputStream(request);
    }

    /** The answer's status code so far (Jetty's 200 until one is set). */
    int status() {
        return response.getStatus();
    }

    /** Answers with {@code body} (none when empty) and completes the exchange. */
    void send(int status, String contentType, byte[] body) {
        response.setStatus(status);
        if (body.length == 0) {
            response.getHeaders().remove(HttpHeader.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The status of an answer then streamed with {@link #write} and {@link #end} (200 unless set). */
    void status(int status) {
        response.setStatus(status);
    }

    /** Answers with a status and no body (204), completing the exchange. */
    void sendEmpty(int status) {
        response.setStatus(status);
        callback.succeeded();
    }

    /** Whether the status line and headers have gone out (after that, an error can only close the connection). */
    boolean committed() {
        return response.isCommitted();
    }

    /**
     * Writes part of a streamed answer (the first call sends the status and headers) and waits until it is written
     * or the client is gone: an interrupt ends the wait with an {@link InterruptedIOException}, and Jetty's idle
     * timeout fails a write that a client does not read.
     */
    void write(byte[] bytes) throws IOException {
        Callback.Completable done = new Callback.Completable();
        response.write(false, ByteBuffer.wrap(bytes), done);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the client");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** Ends a streamed answer with its last chunk and completes the exchange (waits at most for the idle timeout). */
    void end() throws IOException {
        Callback.Completable done = new Callback.Completable();
        response.write(true, null, done);
        try {
            done.get();
            callback.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
        } catch (ExecutionException e) {
            abort(e.getCause());
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * Ends the exchange as failed: Jetty closes the connection (the answer may have been half sent). Quietly: a
     * client gone or cut off is not a warning in vigil's log.
     */
    void abort(Throwable why) {
        callback.failed(why instanceof QuietException ? why : new EofException(why));
    }
}
