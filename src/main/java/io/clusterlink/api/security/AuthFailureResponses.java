package io.clusterlink.api.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.api.V3;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.oidc.OIDCException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * 401, 403 and 429 as v3 error bodies. Quarkus' HTTP permissions refuse a request before it reaches the REST
 * layer (and its {@code ErrorMapper}): a caller without credentials gets the challenge of
 * {@link ChallengeMechanism}, which writes the body here; wrong credentials (a bad password, a token Quarkus
 * OIDC refused), throttled logins and missing roles fail the request, and the failure handler registered here
 * answers them. It also says, at debug level, why a bearer token was refused, without the token.
 */
@ApplicationScoped
public class AuthFailureResponses {

    private static final Logger LOG = Logger.getLogger(AuthFailureResponses.class);
    private static final Map<Integer, String> TOKEN_ERRORS = Map.ofEntries(
            Map.entry(ErrorCodes.EXPIRED, "expired"),
            Map.entry(ErrorCodes.EXPIRATION_MISSING, "no expiry (exp)"),
            Map.entry(ErrorCodes.ISSUED_AT_MISSING, "no issue time (iat)"),
            Map.entry(ErrorCodes.NOT_YET_VALID, "not valid yet (nbf)"),
            Map.entry(ErrorCodes.ISSUED_AT_INVALID_FUTURE, "issued in the future (iat)"),
            Map.entry(ErrorCodes.AUDIENCE_MISSING, "no audience (aud)"),
            Map.entry(ErrorCodes.AUDIENCE_INVALID, "wrong audience (aud)"),
            Map.entry(ErrorCodes.ISSUER_MISSING, "no issuer (iss)"),
            Map.entry(ErrorCodes.ISSUER_INVALID, "wrong issuer (iss)"),
            Map.entry(ErrorCodes.SIGNATURE_INVALID, "bad signature"),
            Map.entry(ErrorCodes.SIGNATURE_MISSING, "not signed"),
            Map.entry(ErrorCodes.JSON_INVALID, "not a JWT"),
            Map.entry(ErrorCodes.MALFORMED_CLAIM, "malformed claim"));

    private final ObjectMapper json;
    private final ApiCredentials credentials;
    private final String realm;

    AuthFailureResponses(ObjectMapper json, ApiCredentials credentials,
            @ConfigProperty(name = "quarkus.http.auth.realm", defaultValue = "clusterlink") String realm) {
        this.json = json;
        this.credentials = credentials;
        this.realm = realm;
    }

    void registerFailureHandler(@Observes Router router) {
        // Before Quarkus' own error handler, which answers these with an empty body (or a 500).
        router.route().order(-1).failureHandler(this::handleFailure);
    }

    private void handleFailure(RoutingContext context) {
        if (context.response().ended()) {
            return;
        }
        Throwable failure = context.failure();
        LoginThrottle.ThrottledException throttled = find(failure, LoginThrottle.ThrottledException.class);
        if (throttled != null) {
            tooManyFailures(context, throttled);
        } else if (find(failure, ForbiddenException.class) != null) {
            forbidden(context);
        } else if (find(failure, AuthenticationFailedException.class) != null
                || find(failure, UnauthorizedException.class) != null
                || (find(failure, OIDCException.class) != null && bearer(context))) {
            if (bearer(context)) {
                LOG.debugf("Bearer token refused: %s", reason(failure));
            }
            unauthorized(context);
        } else {
            context.next();
        }
    }

    /** The {@code WWW-Authenticate} challenges: Basic, and Bearer when an OIDC issuer is configured. */
    public List<String> challenges() {
        List<String> challenges = new ArrayList<>();
        if (credentials.bearerEnabled()) {
            challenges.add("Bearer realm=\"" + realm + "\"");
        }
        challenges.add("Basic realm=\"" + realm + "\"");
        return challenges;
    }

    void unauthorized(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (response.ended()) {
            return;
        }
        response.headers().remove(HttpHeaderNames.WWW_AUTHENTICATE);
        for (String challenge : challenges()) {
            response.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        boolean presented = context.request().getHeader(HttpHeaderNames.AUTHORIZATION) != null;
        write(response, 401, presented ? "Invalid credentials"
                : "Authentication required: send HTTP Basic credentials" + (credentials.bearerEnabled()
                        ? " or a bearer token" : ""));
    }

    void forbidden(RoutingContext context) {
        HttpMethod method = context.request().method();
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        write(context.response(), 403, read ? "Forbidden: this needs the role viewer or operator"
                : "Forbidden: this needs the role operator");
    }

    private void tooManyFailures(RoutingContext context, LoginThrottle.ThrottledException throttled) {
        long seconds = Math.max(1, (throttled.retryAfter().toMillis() + 999) / 1000);
        HttpServerResponse response = context.response();
        response.headers().remove(HttpHeaderNames.WWW_AUTHENTICATE);
        response.putHeader(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
        write(response, 429, "Too many failed logins for this user name or from this address: try again in "
                + seconds + " s");
    }

    private void write(HttpServerResponse response, int status, String message) {
        String body;
        try {
            body = json.writeValueAsString(new V3.Error(status, message));
        } catch (JsonProcessingException e) {
            body = "{\"error_code\":" + status + ",\"message\":\"\"}";
        }
        response.setStatusCode(status).putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json").end(body);
    }

    private static boolean bearer(RoutingContext context) {
        String authorization = context.request().getHeader(HttpHeaderNames.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "bearer ", 0, 7);
    }

    /**
     * Why Quarkus OIDC refused a token, from the exception types and jose4j's error codes (their messages may
     * quote the token; only the start of jose4j's message about an unknown critical header is read).
     */
    static String reason(Throwable failure) {
        if (find(failure, InvalidAlgorithmException.class) != null) {
            return "algorithm not accepted (only RS*, PS*, ES* and EdDSA signatures are)";
        }
        JoseException jose = find(failure, JoseException.class);
        if (jose != null && jose.getMessage() != null && jose.getMessage().startsWith("Unrecognized header")) {
            return "unknown critical header (crit)";
        }
        if (find(failure, UnresolvableKeyException.class) != null) {
            return "unknown key";
        }
        InvalidJwtException invalid = find(failure, InvalidJwtException.class);
        if (invalid != null) {
            for (var detail : invalid.getErrorDetails()) {
                String reason = TOKEN_ERRORS.get(detail.getErrorCode());
                if (reason != null) {
                    return reason;
                }
            }
            return "invalid (jose4j error " + invalid.getErrorDetails().stream().map(d -> d.getErrorCode()).toList()
                    + ")";
        }
        if (find(failure, OIDCException.class) != null) {
            return "the OIDC issuer is not available or its discovery document was refused (see the warnings)";
        }
        if (failure instanceof AuthenticationFailedException && failure.getCause() == null) {
            // what Quarkus OIDC says about a token it cannot read as a signed JWT (and does not introspect)
            return "not a signed JWT";
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return "invalid (" + cause.getClass().getSimpleName() + ")";
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
