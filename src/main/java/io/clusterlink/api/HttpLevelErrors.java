package io.clusterlink.api;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * v3 error bodies for requests that fail before they reach a resource, where {@link ErrorMapper}
 * never sees them: routing failures (400, 404, 405, 500), a {@code Content-Length} over
 * {@code quarkus.http.limits.max-body-size} (413; Quarkus' own answer has no body), a request line
 * over {@value #MAX_REQUEST_LINE} bytes (414) and headers over {@value #MAX_HEADER_BYTES} bytes
 * (431). Those two are the API's limits; the HTTP decoder's own ({@code quarkus.http.limits.*})
 * are set far above them, because Vert.x refuses what passes its limits before any route runs,
 * with a status and no body, and Quarkus offers no hook for that answer. Still refused that way: a
 * request line or headers over 64 KB, a bad percent-escape in the request target (400), and a
 * chunked body that grows past the body limit (413, answered by Quarkus while the body is read).
 */
@ApplicationScoped
public class HttpLevelErrors {

    private static final Logger LOG = Logger.getLogger(HttpLevelErrors.class);

    /** Just before Quarkus' own upload limit route ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2). */
    private static final int ORDER = -3;
    /** The longest request line (method, target and version) the API takes. */
    static final int MAX_REQUEST_LINE = 4096;
    /** The most bytes of header lines the API takes. */
    static final int MAX_HEADER_BYTES = 20 * 1024;

    void register(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        long max = limit.asLongValue();
        String tooLarge = "Request body too large: at most " + max + " bytes";
        router.route().order(ORDER).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (requestLineLength(request) > MAX_REQUEST_LINE) {
                refuse(ctx, 414, "Request line too long: at most " + MAX_REQUEST_LINE + " bytes of method, path, "
                        + "query and version");
            } else if (headerBytes(request) > MAX_HEADER_BYTES) {
                refuse(ctx, 431, "Request headers too large: at most " + MAX_HEADER_BYTES + " bytes in all");
            } else if (length != null && longerThan(length, max)) {
                refuse(ctx, 413, tooLarge);
            } else {
                ctx.next();
            }
        });
        router.errorHandler(400, ctx -> end(ctx, 400, "Bad request: the path or query is not valid "
                + "(check its percent-encoding)"));
        router.errorHandler(404, ctx -> end(ctx, 404, "Not found"));
        router.errorHandler(405, ctx -> end(ctx, 405, "Method not allowed"));
        router.errorHandler(413, ctx -> end(ctx, 413, tooLarge));
        router.errorHandler(500, ctx -> {
            if (ctx.failure() != null) {
                LOG.error("Request failed before it reached a resource", ctx.failure());
            }
            end(ctx, 500, "Internal Server Error");
        });
    }

    /** Answers a request over a limit and closes the connection: what it still sends is not read. */
    private static void refuse(RoutingContext ctx, int status, String message) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        end(ctx, status, message);
    }

    private static void end(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error_code\":" + status + ",\"message\":\"" + message + "\"}");
    }

    /** The request line's length as sent: {@code METHOD SP target SP HTTP/1.1}. */
    private static long requestLineLength(HttpServerRequest request) {
        return request.method().name().length() + 1L + request.uri().length() + 1 + "HTTP/1.1".length();
    }

    /** Bytes of the header lines as sent ({@code name: value}), as the HTTP decoder counts them. */
    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + 2L + header.getValue().length();
        }
        return bytes;
    }

    private static boolean longerThan(String length, long max) {
        try {
            return Long.parseLong(length.trim()) > max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
