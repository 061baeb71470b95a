package io.clusterlink.api.security;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.api.V3;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * 401 and 403 as v3 error bodies. Quarkus' HTTP permissions refuse a request before it reaches
 * the REST layer (and its {@code ErrorMapper}): a caller without credentials gets the challenge of
 * {@link BearerAuthenticationMechanism}, which writes the body here; wrong credentials and missing
 * roles fail the request, and the failure handler registered here answers them.
 */
@ApplicationScoped
public class AuthFailureResponses {

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
        // Before Quarkus' own error handler, which answers these with an empty body.
        router.route().order(-1).failureHandler(this::handleFailure);
    }

    private void handleFailure(RoutingContext context) {
        Throwable failure = rootCause(context.failure());
        if (context.response().ended()) {
            return;
        }
        if (failure instanceof ForbiddenException) {
            forbidden(context);
        } else if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException) {
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

    private void write(HttpServerResponse response, int status, String message) {
        String body;
        try {
            body = json.writeValueAsString(new V3.Error(status, message));
        } catch (JsonProcessingException e) {
            body = "{\"error_code\":" + status + ",\"message\":\"\"}";
        }
        response.setStatusCode(status).putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json").end(body);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t != null && t.getCause() != null && t.getCause() != t
                && !(t instanceof AuthenticationFailedException || t instanceof ForbiddenException
                        || t instanceof UnauthorizedException)) {
            t = t.getCause();
        }
        return t;
    }
}
