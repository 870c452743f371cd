package io.vigil.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.vigil.engine.alarm.Event;
import io.vigil.server.EventHub;
import io.vigil.server.StreamRegistry;
import io.vigil.server.StreamRejectedException;
import io.vigil.server.StreamSpec;
import io.vigil.server.StreamStatus;
import io.vigil.server.config.ServeConfigLoader;
import io.vigil.server.metrics.MetricsEndpoint;
import io.vigil.server.metrics.ServerFigures;
import io.vigil.server.handling.AlarmHandling;
import io.vigil.server.handling.HandlingRefusedException;
import io.vigil.server.handling.MaintenanceWindow;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The service's HTTP server: REST over the {@link StreamRegistry}, the {@link EventHub} as Server-Sent Events,
 * Prometheus metrics, health, the OpenAPI description and the dashboard, on Jetty 12's core API (no servlets). Jetty
 * reads requests without a thread per connection; each request is handled on its own virtual thread, and each SSE
 * client has its own writer thread and a bounded queue (see {@link SseConnection}).
 *
 * <p>Security: loopback by default and then only for Host headers naming loopback (no DNS rebinding); any other
 * bind address needs a token; with a token, POST and DELETE need {@code Authorization: Bearer <token>} (compared in
 * constant time) and reading needs a token or a dashboard session (see {@link Access}); POST bodies must be
 * {@code application/json} (so a web page cannot post a form here) and at most {@code maxBodyBytes}. Slow and hostile
 * clients: {@link RequestDeadlines}, {@link AddressCap}, Jetty's connection limit and idle timeout, {@link SseSlots};
 * liveness reads nothing a request can hold, and may have a port of its own. Nothing taken from a request ever
 * reaches a shell.
 */
public final class ApiServer implements AutoCloseable {
    /** Platform threads for Jetty's acceptor, selector and bookkeeping; requests run on virtual threads. */
    private static final int JETTY_THREADS = 16;
    /** Connections at once on the health port: probes, one or two at a time. */
    private static final int HEALTH_PORT_MAX_CONNECTIONS = 64;
    /** Routes anyone may take, token or not (the rest: see {@link #authorize}). */
    private static final Set<String> OPEN_ROUTES = Set.of("GET /", "GET /dashboard/{asset}", "GET /api/openapi.yaml",
            "POST /api/session", "DELETE /api/session", "GET /health/live", "GET /health/ready");
    /** The routes the health port answers; anything else there is 404. */
    private static final Set<String> HEALTH_ROUTES = Set.of("/health/live", "/health/ready");
    /** Jetty's own start and stop lines are not news in vigil's log; its warnings are. */
    private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());
    /** Items an SSE client may fall behind before it is cut off (a second of 600 streams' stats, with room). */
    static final int SSE_QUEUE_CAPACITY = 2048;
    static final int DEFAULT_ALARM_LIMIT = 100;
    static final int MAX_ALARM_LIMIT = 10_000;
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");
    private static final String RESOURCES = "/io/vigil/server/";
    /** The dashboard's files: a fixed list, so that no path from a request ever names a resource. */
    private static final Map<String, String> DASHBOARD_ASSETS = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "handling.js", "text/javascript; charset=utf-8",
            "handling.css", "text/css; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    @FunctionalInterface
    private interface RouteHandler {
        /** Answers the request; returns false when it kept the exchange open (SSE). */
        boolean handle(Exchange exchange, Map<String, String> params) throws IOException;
    }

    private record Route(String method, String template, String[] parts, boolean mutating, RouteHandler handler) {
    }

    /** An answer other than 2xx: status and one sentence for the client. */
    static final class ApiError extends RuntimeException {
        private final int status;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final ApiSettings settings;
    private final StreamRegistry registry;
    private final EventHub hub;
    private final AlarmHandling handling;
    private final Server server;
    private final Port main;
    /** The health port's, or null. */
    private final Port health;
    private final boolean loopbackOnly;
    private final Access access;
    private final List<Route> routes = new ArrayList<>();
    private final SseSlots sseClients;
    private final HistoryRoutes history;
    private final AtomicInteger sseNumber = new AtomicInteger();
    private final AtomicLong sseDropped = new AtomicLong();
    private final MetricsEndpoint metrics;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile java.util.function.Supplier<List<io.vigil.server.DeliveryFigures>> deliveries = List::of;
    private volatile Reloader reloader;
    private volatile java.util.function.Supplier<List<io.vigil.engine.pipeline.GpuFigures>> gpus = List::of;
    private volatile io.vigil.server.evidence.EvidenceStore evidenceStore;

    private ApiServer(ApiSettings settings, StreamRegistry registry, EventHub hub, AlarmHandling handling,
                      InetAddress address) throws Exception {
        this.settings = settings;
        this.registry = registry;
        this.hub = hub;
        this.handling = handling;
        this.loopbackOnly = address.isLoopbackAddress();
        this.access = new Access(settings);
        this.sseClients = new SseSlots(settings.limits().maxSseClients(), settings.limits().maxSseClientsWithoutToken());
        this.metrics = new MetricsEndpoint(registry, this::serverFigures, () -> deliveries.get(), () -> gpus.get());
        route("GET", "/", this::dashboardIndex);
        route("GET", "/dashboard/{asset}", this::dashboardAsset);
        route("GET", "/api/openapi.yaml", this::openApi);
        route("POST", "/api/session", this::openSession);
        route("DELETE", "/api/session", this::closeSession);
        route("GET", "/api/streams", this::listStreams);
        route("POST", "/api/streams", this::addStream);
        route("GET", "/api/streams/{id}", this::getStream);
        route("DELETE", "/api/streams/{id}", this::removeStream);
        route("GET", "/api/streams/{id}/thumbnail.jpg", this::thumbnail);
        this.history = new HistoryRoutes(registry, hub);
        route("GET", "/api/streams/{id}/stats", history::streamStats);
        route("GET", "/api/streams/{id}/markers", history::streamMarkers);
        route("GET", "/api/alarms/history", history::alarmHistory);
        route("GET", "/api/alarms/history.csv", history::alarmHistoryCsv);
        route("POST", "/api/streams/{id}/release", this::releaseStream);
        route("GET", "/api/evidence/{name}", this::evidence);
        route("POST", "/api/reload", this::reload);
        route("GET", "/api/alarms", this::alarms);
        route("POST", "/api/acks", this::acknowledge);
        route("GET", "/api/mutes", this::listMutes);
        route("POST", "/api/mutes", this::mute);
        route("DELETE", "/api/mutes/{id}", this::unmute);
        route("GET", "/api/maintenance", this::maintenance);
        route("GET", "/api/events", this::events);
        route("GET", "/metrics", this::metrics);
        route("GET", "/health/live", this::live);
        route("GET", "/health/ready", this::ready);
        if (JETTY_LOG.getLevel() == null) {
            JETTY_LOG.setLevel(Level.WARNING);
        }
        QueuedThreadPool threads = new QueuedThreadPool(JETTY_THREADS, 2);
        threads.setName("vigil-http");
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("vigil-http-", 1).factory()));
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Paths are matched raw, segment by segment, against fixed names: an encoded '/' or '..' names nothing
        // (404) rather than being refused as ambiguous (400).
        http.setUriCompliance(UriCompliance.LEGACY);
        this.main = listen(http, address, settings.port(), settings.limits().maxConnections());
        this.health = settings.healthPort() == null ? null
                : listen(http, address, settings.healthPort(), HEALTH_PORT_MAX_CONNECTIONS);
        server.setErrorHandler(new JsonErrors());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                dispatch(new Exchange(request, response, callback));
                return true;
            }
        });
        server.setStopTimeout(0);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
    }

    /** A listening port and the guards on its connections. */
    private record Port(ServerConnector connector, RequestDeadlines deadlines, AddressCap addressCap,
                        NetworkConnectionLimit connectionLimit) {
    }

    /**
     * A port on {@code address} with the deadlines and caps: the idle timeout, header and body deadlines, at most
     * {@code maxConnections} in all (past that, Jetty stops accepting: more wait in the accept queue until one
     * closes) and {@code maxConnectionsPerAddress} from one address.
     */
    private Port listen(HttpConfiguration http, InetAddress address, int port, int maxConnections) {
        HttpLimits limits = settings.limits();
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getHostAddress());
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeoutMillis());
        connector.setAcceptQueueSize(64);
        RequestDeadlines deadlines = new RequestDeadlines(connector.getScheduler(), limits.headerTimeoutMillis(),
                limits.bodyTimeoutMillis());
        connector.addBean(deadlines);
        AddressCap addressCap = new AddressCap(limits.maxConnectionsPerAddress());
        connector.addBean(addressCap);
        server.addConnector(connector);
        NetworkConnectionLimit connectionLimit = new NetworkConnectionLimit(maxConnections, connector);
        server.addBean(connectionLimit);
        return new Port(connector, deadlines, addressCap, connectionLimit);
    }

    /**
     * Binds and starts serving. Refuses (IllegalArgumentException, one sentence) a non-loopback bind address without
     * a token; an address that cannot be bound is an UncheckedIOException.
     */
    public static ApiServer start(ApiSettings settings, StreamRegistry registry, EventHub hub) {
        AlarmHandling handling = hub == null || registry == null ? null : new AlarmHandling(Clock.systemUTC(),
                List.of(), new AlarmHandling.Streams() {
                    @Override
                    public boolean exists(String id) {
                        return registry.get(id).isPresent();
                    }

                    @Override
                    public List<String> groups(String id) {
                        return List.of();
                    }
                }, null).attach(hub);
        return start(settings, registry, hub, handling);
    }

    /**
     * As {@link #start(ApiSettings, StreamRegistry, EventHub)}, with the alarm handling (acks, mutes, maintenance)
     * the caller made and attached to {@code hub}; the three-argument form makes one in memory, without windows.
     */
    public static ApiServer start(ApiSettings settings, StreamRegistry registry, EventHub hub,
                                  AlarmHandling handling) {
        if (settings == null || registry == null || hub == null || handling == null) {
            throw new IllegalArgumentException("The API needs its settings, a stream registry, an event hub and the"
                    + " alarm handling.");
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
            return new ApiServer(settings, registry, hub, handling, address);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + settings.bindAddress() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("The API cannot start on " + settings.bindAddress() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code POST /api/reload} runs: rereads the config file and returns what changed; throws
     * {@link io.vigil.engine.config.ConfigException} or {@link StreamRejectedException} when the new file is refused
     * (the running config stays), {@link IllegalStateException} when there is nothing to reload. None: 404.
     */
    public void reloader(Reloader reload) {
        reloader = reload;
    }

    /** Rereads the config file (see {@link #reloader}). */
    @FunctionalInterface
    public interface Reloader {
        io.vigil.server.ReloadReport reload() throws StreamRejectedException;
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

    /** The statistics backend the streams run on (cpu, gpu), for {@code vigil_build_info}. */
    public void statisticsBackend(String name) {
        metrics.backend(name);
    }

    /** Where {@code GET /api/evidence/{name}} finds the alarms' pictures and clips (none until this is called). */
    public void evidence(io.vigil.server.evidence.EvidenceStore store) {
        evidenceStore = store;
    }

    /** The port actually bound (the one asked for, or the one picked for port 0). */
    public int port() {
        return main.connector().getLocalPort();
    }

    /** The health port actually bound, or -1 without one. */
    public int healthPort() {
        return health == null ? -1 : health.connector().getLocalPort();
    }

    /** Where the server answers, e.g. {@code http://127.0.0.1:8321/}. */
    public URI baseUri() {
        InetAddress a;
        try {
            a = InetAddress.getByName(main.connector().getHost());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
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
        for (SseConnection c : sseClients.all()) {
            c.close();
        }
        // Let each feed end with its last chunk, so that a client reads an end rather than a reset.
        try {
            for (SseConnection c : sseClients.all()) {
                c.awaitEnd(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(java.util.logging.Level.WARNING, "stopping the HTTP server failed", e);
        }
    }

    /** Every route as "METHOD /template", in the order they are matched (for the OpenAPI check). */
    List<String> routeKeys() {
        return routes.stream().map(r -> r.method() + " " + r.template()).toList();
    }

    private void route(String method, String template, RouteHandler handler) {
        String[] parts = template.equals("/") ? new String[0] : template.substring(1).split("/");
        routes.add(new Route(method, template, parts, !method.equals("GET"), handler));
    }

    /**
     * Answers one request: the first route whose template matches the path and whose method is the request's (HEAD
     * takes a GET route: the same answer without its body, which Jetty leaves out). Counted by route template and
     * status code.
     */
    private void dispatch(Exchange exchange) {
        String handler = "none";
        try {
            exchange.setHeader("X-Content-Type-Options", "nosniff");
            exchange.setHeader("Referrer-Policy", "no-referrer");
            checkHost(exchange);
            String path = exchange.rawPath();
            String[] parts = path.equals("/") || path.isEmpty() ? new String[0] : path.substring(1).split("/", -1);
            Set<String> allowed = new LinkedHashSet<>();
            boolean healthPortOnly = health != null && exchange.connector() == health.connector();
            for (Route route : routes) {
                if (healthPortOnly && !HEALTH_ROUTES.contains(route.template())) {
                    continue;
                }
                Map<String, String> params = match(route.parts(), parts);
                if (params == null) {
                    continue;
                }
                allowed.add(route.method());
                handler = route.template();
                if (!route.method().equals(exchange.method())
                        && !(route.method().equals("GET") && exchange.method().equals("HEAD"))) {
                    continue;
                }
                exchange.role(authorize(exchange, route));
                route.handler().handle(exchange, params);
                return;
            }
            if (allowed.isEmpty()) {
                throw new ApiError(404, "There is nothing at " + truncate(path) + ".");
            }
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            exchange.setHeader("Allow", String.join(", ", allowed));
            throw new ApiError(405, "The method " + truncate(exchange.method()) + " is not allowed on "
                    + truncate(path) + "; use " + String.join(" or ", allowed) + ".");
        } catch (ApiError e) {
            sendError(exchange, e.status, e.getMessage());
        } catch (IOException e) {
            // The client went away while we answered: nothing to answer.
            exchange.abort(e);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.SEVERE, exchange.method() + " " + truncate(exchange.target()) + " failed", e);
            sendError(exchange, 500, "The server failed to answer this request; its log says why.");
        } finally {
            metrics.requestAnswered(handler, exchange.status());
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
    private void checkHost(Exchange exchange) {
        if (!loopbackOnly) {
            return;
        }
        String host = exchange.header("Host");
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

    /**
     * Who may take this route: anyone for the open ones (the dashboard's files, the description, health, the
     * session routes, /metrics unless {@code metricsNeedToken}); the token's holder for a change (its bearer header
     * only, never a session cookie); for reading, with a token configured and reads not public, a token (either)
     * or a session. Returns the role the request proved.
     */
    private Access.Role authorize(Exchange exchange, Route route) {
        String key = route.method() + " " + route.template();
        boolean metrics = key.equals("GET /metrics");
        if (OPEN_ROUTES.contains(key) || (metrics && !settings.metricsNeedToken())) {
            return access.reader(exchange);
        }
        if (route.mutating()) {
            return checkToken(exchange);
        }
        Access.Role role = access.reader(exchange);
        if (role == Access.Role.NONE && (access.readNeedsToken() || (metrics && access.tokenConfigured()))) {
            exchange.setHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
            throw new ApiError(401, exchange.header("Authorization") == null
                    ? "Reading needs a token here: an Authorization: Bearer header, or the dashboard's sign-in."
                    : "The bearer token is not one this server was given.");
        }
        return role;
    }

    /** A change needs the token (when one is configured), in the Authorization header. */
    private Access.Role checkToken(Exchange exchange) {
        if (!access.tokenConfigured()) {
            return Access.Role.ADMIN;
        }
        String header = exchange.header("Authorization");
        Access.Role role = access.bearer(header);
        if (role == Access.Role.VIEWER) {
            throw new ApiError(403, "The viewer token only reads; changes need the server's token.");
        }
        if (role != Access.Role.ADMIN) {
            exchange.setHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
            throw new ApiError(401, header == null
                    ? "This request changes the streams and needs an Authorization: Bearer token header."
                    : "The bearer token is not the one this server was given.");
        }
        return role;
    }

    /**
     * Signs a browser in: the token (either) in the Authorization header buys a session cookie, HttpOnly (no script
     * reads it), SameSite=Strict (no other site's page sends it) and read-only. Without a token configured there is
     * nothing to sign in to: 204 and no cookie.
     */
    private boolean openSession(Exchange exchange, Map<String, String> params) {
        exchange.setHeader("Cache-Control", "no-store");
        if (!access.tokenConfigured()) {
            exchange.sendEmpty(204);
            return true;
        }
        if (access.bearer(exchange.header("Authorization")) == Access.Role.NONE) {
            exchange.setHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
            throw new ApiError(401, "Signing in needs the server's token or viewer token in an Authorization:"
                    + " Bearer header.");
        }
        exchange.addHeader("Set-Cookie", Access.COOKIE + "=" + access.sessions.open() + "; Path=/; Max-Age="
                + Sessions.TTL_SECONDS + "; HttpOnly; SameSite=Strict");
        exchange.sendEmpty(204);
        return true;
    }

    /** Signs a browser out: its session ends and its cookie is cleared. */
    private boolean closeSession(Exchange exchange, Map<String, String> params) {
        access.sessions.close(exchange.cookie(Access.COOKIE));
        exchange.setHeader("Cache-Control", "no-store");
        exchange.addHeader("Set-Cookie", Access.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        exchange.sendEmpty(204);
        return true;
    }

    // ---- handlers ----

    private boolean listStreams(Exchange exchange, Map<String, String> params) throws IOException {
        sendJson(exchange, 200, registry.list());
        return true;
    }

    private boolean addStream(Exchange exchange, Map<String, String> params) throws IOException {
        byte[] body = readBody(exchange);
        StreamSpec spec;
        try {
            spec = Json.MAPPER.readValue(body, StreamSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiError(400, "A stream has no field \"" + truncate(e.getPropertyName())
                    + "\"; it takes id, url, detectors, settings, profile and groups.");
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
        exchange.setHeader("Location", "/api/streams/" + status.id());
        sendJson(exchange, 201, status);
        return true;
    }

    private boolean getStream(Exchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        sendJson(exchange, 200, registry.get(id).orElseThrow(() -> noStream(id)));
        return true;
    }

    private boolean removeStream(Exchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        if (!registry.remove(id)) {
            throw noStream(id);
        }
        exchange.sendEmpty(204);
        return true;
    }

    /** A quarantined stream runs again; 200 with its status (unchanged when it was not quarantined). */
    /** Rereads the config file (the token required, always): 200 with what changed, 400 with why it was refused. */
    private boolean reload(Exchange exchange, Map<String, String> params) throws IOException {
        checkSameOrigin(exchange);
        if (settings.token() == null) {
            throw new ApiError(403, "A reload needs server.token: set one to reload over HTTP, or send SIGHUP.");
        }
        Reloader r = reloader;
        if (r == null) {
            throw new ApiError(404, "This server has no config file to reload.");
        }
        try {
            sendJson(exchange, 200, r.reload());
        } catch (io.vigil.engine.config.ConfigException | StreamRejectedException e) {
            throw new ApiError(400, "The config was not reloaded (the running one stays): " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiError(409, e.getMessage());
        }
        return true;
    }

    private boolean releaseStream(Exchange exchange, Map<String, String> params) throws IOException {
        checkSameOrigin(exchange);
        String id = params.get("id");
        sendJson(exchange, 200, registry.release(id).orElseThrow(() -> noStream(id)));
        return true;
    }

    /**
     * A POST without a body needs no preflight, so a web page elsewhere could send one: a browser names the page's
     * origin, which must then be this server's own.
     */
    private static void checkSameOrigin(Exchange exchange) {
        String origin = exchange.header("Origin");
        String host = exchange.header("Host");
        if (origin == null) {
            return;
        }
        String originHost = origin.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        if (host == null || !originHost.equalsIgnoreCase(host)) {
            throw new ApiError(403, "This request comes from a page of another site (" + truncate(origin) + ").");
        }
    }

    private boolean thumbnail(Exchange exchange, Map<String, String> params) throws IOException {
        String id = params.get("id");
        if (registry.get(id).isEmpty()) {
            throw noStream(id);
        }
        Optional<byte[]> jpeg = registry.thumbnail(id);
        if (jpeg.isEmpty()) {
            throw new ApiError(404, "Stream " + id + " has no picture yet.");
        }
        exchange.setHeader("Cache-Control", "no-store");
        // when the picture was made: the dashboard tells a live picture from one older than an alarm
        registry.thumbnailTime(id).ifPresent(t -> exchange.setHeader("X-Picture-Time", t.toString()));
        send(exchange, 200, "image/jpeg", jpeg.get());
        return true;
    }

    private boolean evidence(Exchange exchange, Map<String, String> params) throws IOException {
        EvidenceRoute.Refusal refusal = EvidenceRoute.answer(exchange, evidenceStore, params.get("name"));
        if (refusal != null) {
            refusal.headers().forEach(exchange::setHeader);
            throw new ApiError(refusal.status(), refusal.message());
        }
        return true;
    }

    private boolean alarms(Exchange exchange, Map<String, String> params) throws IOException {
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
        List<Object> out = new ArrayList<>();
        for (Event.Alarm a : picked.subList(Math.max(0, picked.size() - limit), picked.size())) {
            Optional<Event.Ack> ack = a.firing() ? handling.ackOf(a.dedupKey()) : Optional.empty();
            if (ack.isEmpty()) {
                out.add(a);
                continue;
            }
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(Json.write(a));
            ObjectNode by = node.putObject("ack");
            by.put("by", ack.get().by());
            by.put("note", ack.get().note());
            by.put("wall", ack.get().wall());
            out.add(node);
        }
        sendJson(exchange, 200, out);
        return true;
    }

    /** Body of {@code POST /api/acks}. */
    record AckRequest(String dedupKey, String by, String note) {
    }

    /** Body of {@code POST /api/mutes}. */
    record MuteRequest(String stream, String detector, Double minutes, String until, String by, String note) {
    }

    private boolean acknowledge(Exchange exchange, Map<String, String> params) throws IOException {
        AckRequest request = readJson(exchange, AckRequest.class, "an acknowledgement",
                "dedupKey, by and note", "{\"dedupKey\": \"e1/black\", \"by\": \"ana\", \"note\": \"looking\"}");
        sendJson(exchange, 201, handled(() -> handling.acknowledge(request.dedupKey(), request.by(), request.note())));
        return true;
    }

    private boolean listMutes(Exchange exchange, Map<String, String> params) throws IOException {
        sendJson(exchange, 200, handling.mutes());
        return true;
    }

    private boolean mute(Exchange exchange, Map<String, String> params) throws IOException {
        MuteRequest r = readJson(exchange, MuteRequest.class, "a mute", "stream, detector, minutes, until, by and note",
                "{\"stream\": \"e1\", \"detector\": \"black\", \"minutes\": 30, \"by\": \"ana\"}");
        Event.Mute event = handled(() -> handling.mute(r.stream(), r.detector(), r.minutes(), r.until(), r.by(),
                r.note()));
        exchange.setHeader("Location", "/api/mutes/" + event.id());
        sendJson(exchange, 201, event);
        return true;
    }

    /** Lifts a mute; 200 with the {@code mute} event that ends it. {@code ?by=} names who (else its maker). */
    private boolean unmute(Exchange exchange, Map<String, String> params) throws IOException {
        String by = query(exchange).get("by");
        sendJson(exchange, 200, handled(() -> handling.unmute(params.get("id"), by)));
        return true;
    }

    private boolean maintenance(Exchange exchange, Map<String, String> params) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AlarmHandling.WindowState state : handling.maintenance()) {
            MaintenanceWindow w = state.window();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", w.name());
            m.put("streams", w.streams());
            m.put("groups", w.groups());
            if (w.recurs()) {
                m.put("days", w.days().stream().sorted().map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT))
                        .toList());
                m.put("at", w.at().toString());
                m.put("duration", w.duration().toMillis() / 1000.0);
                m.put("zone", w.zone().getId());
            } else {
                m.put("from", w.from());
                m.put("to", w.to());
            }
            m.put("active", state.active());
            m.put("activeUntil", state.activeUntil());
            m.put("nextStart", state.nextStart());
            out.add(m);
        }
        sendJson(exchange, 200, out);
        return true;
    }

    /** Runs an alarm-handling change, its refusals as 400, 404 or 409. */
    private static <T> T handled(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (HandlingRefusedException e) {
            int code = switch (e.reason()) {
                case INVALID -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
            };
            throw new ApiError(code, e.getMessage());
        }
    }

    /** A JSON body as {@code type}; an unknown field or a body that is not one is 400 with the fields it takes. */
    private <T> T readJson(Exchange exchange, Class<T> type, String what, String fields, String example)
            throws IOException {
        byte[] body = readBody(exchange);
        T value;
        try {
            value = Json.MAPPER.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiError(400, "The body of " + what + " has no field \"" + truncate(e.getPropertyName())
                    + "\"; it takes " + fields + ".");
        } catch (JacksonException e) {
            throw new ApiError(400, "The body is not " + what + " as JSON, such as " + example + ".");
        }
        if (value == null) {
            throw new ApiError(400, "The body is not " + what + " as JSON, such as " + example + ".");
        }
        return value;
    }

    /**
     * The SSE feed. A place is taken before the answer starts; with a token configured a client that proved one
     * always gets a place (see {@link SseSlots}).
     */
    private boolean events(Exchange exchange, Map<String, String> params) throws IOException {
        if (closed.get()) {
            throw new ApiError(503, "The server is shutting down.");
        }
        Map<String, String> query = query(exchange);
        SseFilter filter;
        try {
            filter = SseFilter.of(query);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
        // The header (an EventSource's reconnect) wins over the query, which keeps the id the page was opened with.
        String lastEventId = exchange.header("Last-Event-ID");
        if (lastEventId == null || lastEventId.isEmpty()) {
            lastEventId = query.get("lastEventId");
        }
        exchange.setHeader("Content-Type", "text/event-stream; charset=utf-8");
        exchange.setHeader("Cache-Control", "no-store");
        exchange.setHeader("X-Accel-Buffering", "no");
        if (exchange.method().equals("HEAD")) {
            exchange.sendEmpty(200);
            return true;
        }
        SseConnection[] self = new SseConnection[1];
        SseConnection connection = new SseConnection(exchange, SSE_QUEUE_CAPACITY,
                Math.min(SseConnection.KEEPALIVE_NANOS,
                        TimeUnit.MILLISECONDS.toNanos(settings.limits().idleTimeoutMillis()) / 2),
                filter, lastEventId == null || lastEventId.isEmpty() ? null : lastEventId,
                () -> sseClients.release(self[0]), sseDropped::incrementAndGet);
        self[0] = connection;
        SseSlots.Admission admission = sseClients.admit(connection, exchange.role() != Access.Role.NONE,
                access.tokenConfigured());
        if (!admission.admitted()) {
            // Closed after the answer: a refused client must not keep a connection to try again on.
            exchange.setHeader("Connection", "close");
            throw new ApiError(503, admission.refusal());
        }
        if (admission.evicted() != null) {
            admission.evicted().evict();
        }
        connection.start(hub, "vigil-sse-" + sseNumber.incrementAndGet());
        return false;
    }

    private boolean metrics(Exchange exchange, Map<String, String> params) throws IOException {
        MetricsEndpoint.Scrape scrape = metrics.scrape(exchange.header("Accept"));
        send(exchange, 200, scrape.contentType(), scrape.body());
        return true;
    }

    private ServerFigures serverFigures() {
        return new ServerFigures(sseClients.size(), sseDropped.get(), connectionsCut(),
                main.connectionLimit().getNetworkConnectionCount());
    }

    /** What /metrics shows as vigil_http_connections_cut_total, by reason. */
    private Map<String, Long> connectionsCut() {
        Map<String, Long> cut = new LinkedHashMap<>();
        List<Port> ports = health == null ? List.of(main) : List.of(main, health);
        cut.put("header_timeout", ports.stream().mapToLong(p -> p.deadlines().headerTimeouts()).sum());
        cut.put("body_timeout", ports.stream().mapToLong(p -> p.deadlines().bodyTimeouts()).sum());
        cut.put("per_address_limit", ports.stream().mapToLong(p -> p.addressCap().refused()).sum());
        cut.put("sse_evicted", sseClients.evictions());
        return cut;
    }

    private boolean live(Exchange exchange, Map<String, String> params) throws IOException {
        sendJson(exchange, 200, Map.of("status", "live"));
        return true;
    }

    /**
     * Ready while no stream is opening its source for the first time (a stream leaves that state at its first open
     * or its first failed one, within decode.ioTimeout). Not latched: the API may answer before the config's streams
     * are added, and a probe then must not take "no streams yet" for "every stream started".
     */
    private boolean ready(Exchange exchange, Map<String, String> params) throws IOException {
        String why = registry.notReady();
        if (why != null) {
            throw new ApiError(503, why);
        }
        sendJson(exchange, 200, Map.of("status", "ready"));
        return true;
    }

    private boolean openApi(Exchange exchange, Map<String, String> params) throws IOException {
        send(exchange, 200, "application/yaml; charset=utf-8", OpenApiVersion.stamp(resource(RESOURCES + "openapi.yaml")));
        return true;
    }

    private boolean dashboardIndex(Exchange exchange, Map<String, String> params) throws IOException {
        dashboardHeaders(exchange);
        send(exchange, 200, "text/html; charset=utf-8", resource(RESOURCES + "dashboard/index.html"));
        return true;
    }

    private boolean dashboardAsset(Exchange exchange, Map<String, String> params) throws IOException {
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
    private static void dashboardHeaders(Exchange exchange) {
        exchange.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:;"
                + " style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        exchange.setHeader("X-Frame-Options", "DENY");
        exchange.setHeader("Cache-Control", "no-cache");
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
    private byte[] readBody(Exchange exchange) throws IOException {
        String type = exchange.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "The body must be JSON, sent with Content-Type: application/json.");
        }
        long max = settings.maxBodyBytes();
        String length = exchange.header("Content-Length");
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
        try (InputStream in = exchange.body()) {
            byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (body.length > max) {
                throw tooLarge(exchange, max);
            }
            return body;
        }
    }

    private static ApiError tooLarge(Exchange exchange, long max) {
        exchange.setHeader("Connection", "close");
        return new ApiError(413, "The body is larger than this server takes (" + max + " bytes).");
    }

    static Map<String, String> query(Exchange exchange) {
        String raw = exchange.rawQuery();
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

    private static void sendJson(Exchange exchange, int status, Object value) {
        exchange.setHeader("Cache-Control", "no-store");
        send(exchange, status, "application/json", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    private static void sendError(Exchange exchange, int status, String message) {
        if (exchange.committed()) {
            exchange.abort(new IOException("failed after the answer began: " + message));
            return;
        }
        send(exchange, status, "application/json", Json.write(Map.of("error", message))
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Exchange exchange, int status, String contentType, byte[] body) {
        exchange.send(status, contentType, body);
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
