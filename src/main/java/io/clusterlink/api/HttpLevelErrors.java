package io.clusterlink.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * v3 error bodies for requests that fail before they reach a resource, where {@link ErrorMapper}
 * never sees them: routing failures (400, 404, 405, 500), a {@code Content-Length} over
 * {@code quarkus.http.limits.max-body-size} (413; Quarkus' own answer has no body). Refused
 * before any route runs, without a body: a request line or headers over Vert.x's limits (414,
 * 431), a bad percent-escape in the request target (400, from the HTTP decoder), and a chunked
 * body that grows past the limit (413, answered by Quarkus while the body is read).
 */
@ApplicationScoped
public class HttpLevelErrors {

    private static final Logger LOG = Logger.getLogger(HttpLevelErrors.class);

    /** Just before Quarkus' own upload limit route ({@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT}, -2). */
    private static final int ORDER = -3;

    void register(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        long max = limit.asLongValue();
        String tooLarge = "Request body too large: at most " + max + " bytes";
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && longerThan(length, max)) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                end(ctx, 413, tooLarge);
                return;
            }
            ctx.next();
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

    private static void end(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error_code\":" + status + ",\"message\":\"" + message + "\"}");
    }

    private static boolean longerThan(String length, long max) {
        try {
            return Long.parseLong(length.trim()) > max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
