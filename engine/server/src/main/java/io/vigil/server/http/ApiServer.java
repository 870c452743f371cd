package io.vigil.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The service's HTTP server: REST over the {@link StreamRegistry}, the {@link EventHub} as Server-Sent Events,
 * Prometheus metrics, health, the OpenAPI description and the dashboard. Plain requests run on a small pool of
 * platform threads; each SSE client gets its own virtual thread and a bounded queue (see {@link SseConnection}).
 *
 * <p>Security: loopback by default and then only for Host headers naming loopback (no DNS rebinding); any other
 * bind address needs a token; with a token, POST and DELETE need {@code Authorization: Bearer <token>} (compared in
 * constant time); POST bodies must be {@code application/json} (so a web page cannot post a form here) and at most
 * {@code maxBodyBytes}. Nothing taken from a request ever reaches a shell.
 */
public final class ApiServer implements AutoCloseable {
    /** Requests served at once; SSE clients do not hold one. */
    private static final int WORKER_THREADS = 8;
    /**
     * The JDK server reads a request's headers on a worker thread: a client that sends them slowly holds one. Its
     * own limit (seconds, read once when the first server of the process starts) cuts such a client off; set here
     * unless the operator set it. TCP_NODELAY so that an SSE message leaves at once rather than after a delayed ACK.
     */
    static final String MAX_REQUEST_SECONDS = "10";

    static {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    /** Items an SSE client may fall behind before it is cut off (a second of 600 streams' stats, with room). */
    static final int SSE_QUEUE_CAPACITY = 2048;
    /** SSE clients at once; more are answered 503. */
    static final int MAX_SSE_CLIENTS = 256;
    static final int DEFAULT_ALARM_LIMIT = 100;
    static final int MAX_ALARM_LIMIT = 10_000;
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");
    private static final String RESOURCES = "/io/vigil/server/";
    /** The dashboard's files: a fixed list, so that no path from a request ever names a resource. */
    private static final Map<String, String> DASHBOARD_ASSETS = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    @FunctionalInterface
    private interface Handler {
        /** Answers the request; returns false when it kept the exchange open (SSE). */
        boolean handle(HttpExchange exchange, Map<String, String> params) throws IOException;
    }

    private record Route(String method, String template, String[] parts, boolean mutating, Handler handler) {
    }

    /** An answer other than 2xx: status and one sentence for the client. */
    private static final class ApiError extends RuntimeException {
        private final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final ApiSettings settings;
    private final StreamRegistry registry;
    private final EventHub hub;
    private final HttpServer server;
    private final ExecutorService workers;
    private final boolean loopbackOnly;
    private final byte[] tokenBytes;
    private final List<Route> routes = new ArrayList<>();
    private final Set<SseConnection> sseClients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sseNumber = new AtomicInteger();
    private final AtomicLong sseDropped = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile java.util.function.Supplier<List<io.vigil.server.DeliveryFigures>> deliveries = List::of;
    private volatile java.util.function.Supplier<List<io.vigil.engine.pipeline.GpuFigures>> gpus = List::of;

    private ApiServer(ApiSettings settings, StreamRegistry registry, EventHub hub, InetAddress address)
            throws IOException {
        this.settings = settings;
        this.registry = registry;
        this.hub = hub;
        this.loopbackOnly = address.isLoopbackAddress();
        this.tokenBytes = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
        route("GET", "/", this::dashboardIndex);
        route("GET", "/dashboard/{asset}", this::dashboardAsset);
        route("GET", "/api/openapi.yaml", this::openApi);
        route("GET", "/api/streams", this::listStreams);
        route("POST", "/api/streams", this::addStream);
        route("GET", "/api/streams/{id}", this::getStream);
        route("DELETE", "/api/streams/{id}", this::removeStream);
        route("GET", "/api/streams/{id}/thumbnail.jpg", this::thumbnail);
        route("POST", "/api/streams/{id}/release", this::releaseStream);
        route("GET", "/api/alarms", this::alarms);
        route("GET", "/api/events", this::events);
        route("GET", "/metrics", this::metrics);
        route("GET", "/health/live", this::live);
        route("GET", "/health/ready", this::ready);
        this.workers = Executors.newFixedThreadPool(WORKER_THREADS,
                Thread.ofPlatform().name("vigil-http-", 1).daemon(true).factory());
        this.server = HttpServer.create(new InetSocketAddress(address, settings.port()), 64);
        server.setExecutor(workers);
        server.createContext("/", this::dispatch);
        server.start();
    }

    /**
     * Binds and starts serving. Refuses (IllegalArgumentException, one sentence) a non-loopback bind address without
     * a token; an address that cannot be bound is an UncheckedIOException.
     */
    public static ApiServer start(ApiSettings settings, StreamRegistry registry, EventHub hub) {
        if (settings == null || registry == null || hub == null) {
            throw new IllegalArgumentException("The API needs its settings, a stream registry and an event hub.");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(settings.bindAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("The API's bind address " + settings.bindAddress()
                    + " is not a known host or address.");
        }
        if (!address.isLoopbackAddress() && settings.token() == null) {
            throw new IllegalArgumentException("Binding the API to " + settings.bindAddress()
                    + ", which is not a loopback address, needs a token (server.token) so that strangers cannot"
                    + " change the streams.");
        }
        try {
            return new ApiServer(settings, registry, hub, address);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + settings.bindAddress() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Where /metrics reads the webhooks' figures (none until this is called). */
    public void deliveryFigures(java.util.function.Supplier<List<io.vigil.server.DeliveryFigures>> figures) {
        deliveries = figures;
    }

    /**
     * Where /metrics reads the GPUs' own figures (none until this is called); read at most once a second however
     * often /metrics is scraped. The caller keeps and closes {@code telemetry}.
     */
    public void gpuTelemetry(io.vigil.engine.pipeline.GpuTelemetry telemetry) {
        gpus = new GpuSampler(telemetry);
    }

    /** The port actually bound (the one asked for, or the one picked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Where the server answers, e.g. {@code http://127.0.0.1:8321/}. */
    public URI baseUri() {
        InetAddress a = server.getAddress().getAddress();
        String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Stops listening, ends every SSE client and the worker threads; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (SseConnection c : sseClients) {
            c.close();
        }
        // Let each feed end with its last chunk, so that a client reads an end rather than a reset.
        try {
            for (SseConnection c : sseClients) {
                c.awaitEnd(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every route as "METHOD /template", in the order they are matched (for the OpenAPI check). */
    List<String> routeKeys() {
        return routes.stream().map(r -> r.method() + " " + r.template()).toList();
    }

    private void route(String method, String template, Handler handler) {
        String[] parts = template.equals("/") ? new String[0] : template.substring(1).split("/");
        routes.add(new Route(method, template, parts, !method.equals("GET"), handler));
    }

    private void dispatch(HttpExchange exchange) {
        requests.incrementAndGet();
        boolean close = true;
        try {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            checkHost(exchange);
            String path = exchange.getRequestURI().getRawPath();
            String[] parts = path.equals("/") || path.isEmpty() ? new String[0] : path.substring(1).split("/", -1);
            Set<String> allowed = new LinkedHashSet<>();
            for (Route route : routes) {
                Map<String, String> params = match(route.parts(), parts);
                if (params == null) {
                    continue;
                }
                allowed.add(route.method());
                if (!route.method().equals(exchange.getRequestMethod())) {
                    continue;
                }
                if (route.mutating()) {
                    checkToken(exchange);
                }
                close = route.handler().handle(exchange, params);
                return;
            }
            if (allowed.isEmpty()) {
                throw new ApiError(404, "There is nothing at " + truncate(path) + ".");
            }
            exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
            throw new ApiError(405, "The method " + truncate(exchange.getRequestMethod()) + " is not allowed on "
                    + truncate(path) + "; use " + String.join(" or ", allowed) + ".");
        } catch (ApiError e) {
            sendError(exchange, e.status, e.getMessage());
        } catch (IOException e) {
            // The client went away while we answered: nothing to answer.
        } catch (RuntimeException e) {
            System.err.println("vigil api: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " failed: " + e);
            sendError(exchange, 500, "The server failed to answer this request; its log says why.");
        } finally {
            if (close) {
                exchange.close();
            }
        }
    }

    private static Map<String, String> match(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>(2);
                }
                params.put(t.substring(1, t.length() - 1), path[i]);
            } else if (!t.equals(path[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    /** On loopback, a Host header must name loopback too: a page whose DNS name was rebound to 127.0.0.1 cannot. */
    private void checkHost(HttpExchange exchange) {
        if (!loopbackOnly) {
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return;
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        name = name.toLowerCase(Locale.ROOT);
        if (!(name.equals("localhost") || name.equals("[::1]") || LOOPBACK_V4.matcher(name).matches())) {
            throw new ApiError(403, "This server listens on a loopback address and only answers requests for"
                    + " localhost, 127.0.0.1 or [::1], not " + truncate(host) + ".");
        }
    }

    private void checkToken(HttpExchange exchange) {
        if (tokenBytes == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        // MessageDigest.isEqual takes the same time whatever the first differing byte: no timing oracle.
        if (!MessageDigest.isEqual(given, tokenBytes)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"vigil\"");
            throw new ApiError(401, header == null
                    ? "This request changes the streams and needs an Authorization: Bearer token header."
                    : "The bearer token is not the one this server was given.");
        }
    }

    // ---- handlers ----

    private boolean listStreams(HttpExchange exchange, Map<String, String> params) throws IOException {
        sendJson(exchange, 200, registry.list());
        return true;
    }

    private boolean addStream(HttpExchange exchange, Map<String, String> params) throws IOException {
        byte[] body = readBody(exchange);
        StreamSpec spec;
        try {
            spec = Json.MAPPER.readValue(body, StreamSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiError(400, "A stream has no field \"" + truncate(e.getPropertyName())
                    + "\"; it takes id, url, detectors and settings.");
        } catch (JacksonException e) {
            throw new ApiError(400, "The body is not a stream as JSON: {\"id\": ..., \"url\": ...,"
                    + " \"detectors\": [...], \"settings\": {...}}.");
        }
        if (spec == null || spec.id() == null || spec.url() == null) {
            throw new ApiError(400, "A stream needs an id and a url.");
        }
        checkId(spec.id());
        StreamStatus status;
        try {
            status = registry.add(spec);
        } catch (StreamRejectedException e) {
            int code = switch (e.reason()) {
                case INVALID -> 400;
                case DUPLICATE -> 409;
                case LIMIT -> 429;
            };
            throw new ApiError(code, e.getMessage());
        }
        exchange.getResponseHeaders().set("Location", "/api/streams/" + status.id());
        sendJson(exchange, 201, status);
        return true;
    }

    private boolean getStream(HttpExchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        sendJson(exchange, 200, registry.get(id).orElseThrow(() -> noStream(id)));
        return true;
    }

    private boolean removeStream(HttpExchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        if (!registry.remove(id)) {
            throw noStream(id);
        }
        exchange.sendResponseHeaders(204, -1);
        return true;
    }

    /** A quarantined stream runs again; 200 with its status (unchanged when it was not quarantined). */
    private boolean releaseStream(HttpExchange exchange, Map<String, String> params) throws IOException {
        checkSameOrigin(exchange);
        String id = params.get("id");
        sendJson(exchange, 200, registry.release(id).orElseThrow(() -> noStream(id)));
        return true;
    }

    /**
     * A POST without a body needs no preflight, so a web page elsewhere could send one: a browser names the page's
     * origin, which must then be this server's own.
     */
    private static void checkSameOrigin(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin == null) {
            return;
        }
        String originHost = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        if (host == null || !originHost.equalsIgnoreCase(host)) {
            throw new ApiError(403, "This request comes from a page of another site (" + truncate(origin) + ").");
        }
    }

    private boolean thumbnail(HttpExchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        if (registry.get(id).isEmpty()) {
            throw noStream(id);
        }
        Optional<byte[]> jpeg = registry.thumbnail(id);
        if (jpeg.isEmpty()) {
            throw new ApiError(404, "Stream " + id + " has no picture yet.");
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "image/jpeg", jpeg.get());
        return true;
    }

    private boolean alarms(HttpExchange exchange, Map<String, String> params) throws IOException {
        Map<String, String> query = query(exchange);
        String active = query.getOrDefault("active", "false");
        if (!active.equals("true") && !active.equals("false")) {
            throw new ApiError(400, "The parameter active must be true or false.");
        }
        int limit = DEFAULT_ALARM_LIMIT;
        if (query.containsKey("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_ALARM_LIMIT) {
                throw new ApiError(400, "The parameter limit must be a whole number from 1 to " + MAX_ALARM_LIMIT
                        + ".");
            }
        }
        String stream = query.get("stream");
        List<Event.Alarm> all = active.equals("true") ? hub.active() : hub.recent(Integer.MAX_VALUE);
        List<Event.Alarm> picked = stream == null ? all
                : all.stream().filter(a -> a.stream().equals(stream)).toList();
        sendJson(exchange, 200, picked.subList(Math.max(0, picked.size() - limit), picked.size()));
        return true;
    }

    private boolean events(HttpExchange exchange, Map<String, String> params) throws IOException {
        if (sseClients.size() >= MAX_SSE_CLIENTS) {
            throw new ApiError(503, "There are already " + MAX_SSE_CLIENTS + " clients on /api/events.");
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        SseConnection[] self = new SseConnection[1];
        SseConnection connection = new SseConnection(exchange, SSE_QUEUE_CAPACITY,
                () -> sseClients.remove(self[0]), sseDropped::incrementAndGet);
        self[0] = connection;
        sseClients.add(connection);
        if (closed.get()) {
            sseClients.remove(connection);
            return true;
        }
        connection.start(hub, "vigil-sse-" + sseNumber.incrementAndGet());
        return false;
    }

    private boolean metrics(HttpExchange exchange, Map<String, String> params) throws IOException {
        String text = PrometheusText.render(registry,
                new PrometheusText.ServerFigures(sseClients.size(), sseDropped.get(), requests.get()),
                deliveries.get(), gpus.get());
        send(exchange, 200, PrometheusText.CONTENT_TYPE, text.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private boolean live(HttpExchange exchange, Map<String, String> params) throws IOException {
        sendJson(exchange, 200, Map.of("status", "live"));
        return true;
    }

    /**
     * Ready while no stream is opening its source for the first time (a stream leaves that state at its first open
     * or its first failed one, within decode.ioTimeout). Not latched: the API may answer before the config's streams
     * are added, and a probe then must not take "no streams yet" for "every stream started".
     */
    private boolean ready(HttpExchange exchange, Map<String, String> params) throws IOException {
        String why = registry.notReady();
        if (why != null) {
            throw new ApiError(503, why);
        }
        sendJson(exchange, 200, Map.of("status", "ready"));
        return true;
    }

    private boolean openApi(HttpExchange exchange, Map<String, String> params) throws IOException {
        send(exchange, 200, "application/yaml; charset=utf-8", resource(RESOURCES + "openapi.yaml"));
        return true;
    }

    private boolean dashboardIndex(HttpExchange exchange, Map<String, String> params) throws IOException {
        dashboardHeaders(exchange);
        send(exchange, 200, "text/html; charset=utf-8", resource(RESOURCES + "dashboard/index.html"));
        return true;
    }

    private boolean dashboardAsset(HttpExchange exchange, Map<String, String> params) throws IOException {
        String asset = params.get("asset");
        String type = DASHBOARD_ASSETS.get(asset);
        if (type == null) {
            throw new ApiError(404, "The dashboard has no file " + truncate(asset) + ".");
        }
        dashboardHeaders(exchange);
        send(exchange, 200, type, resource(RESOURCES + "dashboard/" + asset));
        return true;
    }

    /** The page may load only its own files and talk only to this server. */
    private static void dashboardHeaders(HttpExchange exchange) {
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:;"
                + " style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    }

    // ---- helpers ----

    private ApiError noStream(String id) {
        return new ApiError(404, "There is no stream named " + truncate(id) + ".");
    }

    private static void checkId(String id) {
        if (!ServeConfigLoader.STREAM_ID.matcher(id).matches()) {
            throw new ApiError(400, "A stream id is " + ServeConfigLoader.STREAM_ID_RULE + ".");
        }
    }

    /** The request body, at most maxBodyBytes of JSON. */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "The body must be JSON, sent with Content-Type: application/json.");
        }
        long max = settings.maxBodyBytes();
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > max) {
                    throw tooLarge(exchange, max);
                }
            } catch (NumberFormatException e) {
                throw new ApiError(400, "The Content-Length header is not a number.");
            }
        }
        // Chunked bodies carry no length: read one byte past the limit to know.
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (body.length > max) {
                throw tooLarge(exchange, max);
            }
            return body;
        }
    }

    private static ApiError tooLarge(HttpExchange exchange, long max) {
        exchange.getResponseHeaders().set("Connection", "close");
        return new ApiError(413, "The body is larger than this server takes (" + max + " bytes).");
    }

    private static Map<String, String> query(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawQuery();
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "The query string is not properly percent-encoded.");
            }
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    private static void sendJson(HttpExchange exchange, int status, Object value) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, "application/json", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(HttpExchange exchange, int status, String message) {
        try {
            send(exchange, status, "application/json", Json.write(Map.of("error", message))
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // headers already sent, or the client is gone: the connection closes, which is all we can do
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Echoes of request text in messages stay short (and one line). */
    private static String truncate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("[\\p{Cntrl}]", "?");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
}
