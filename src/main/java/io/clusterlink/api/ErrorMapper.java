package io.clusterlink.api;

import java.io.IOException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.clusterlink.api.security.AuthFailureResponses;
import io.clusterlink.link.ClusterLinkException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place that turns failures into v3 error bodies {@code {"error_code", "message"}}.
 * Bad input is a 4xx with a message that names the problem; class names and stack traces never
 * reach a response. Unexpected failures are logged once with their stack trace.
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    private final AuthFailureResponses authFailures;

    ErrorMapper(AuthFailureResponses authFailures) {
        this.authFailures = authFailures;
    }

    @ServerExceptionMapper
    public Response domain(ClusterLinkException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s (%d)", e.getMessage(), e.status());
        } else {
            LOG.debugf("%s (%d)", e.getMessage(), e.status());
        }
        return body(e.status(), e.errorCode(), e.getMessage());
    }

    /**
     * Access checks inside the REST layer (the HTTP permissions refuse most requests before it, see
     * {@code api.security.AuthFailureResponses}).
     */
    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        Response.ResponseBuilder response = Response.status(401).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new V3.Error(401, "Authentication required"));
        authFailures.challenges().forEach(c -> response.header("WWW-Authenticate", c));
        return response.build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return body(403, 403, "Forbidden");
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return body(400, 400, "Malformed request body: " + jsonProblem(e));
    }

    /** More specific than the built-in mappers of these types, which answer without a body. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(JsonParseException e) {
        return json(e);
    }

    /**
     * A body that could not be read. A chunked body that grows past max-body-size ends here after
     * Quarkus has already answered 413; nothing more can be written then, but it is no failure of ours.
     */
    @ServerExceptionMapper
    public Response unreadable(IOException e) {
        LOG.debugf("Request body not readable: %s", e.getMessage());
        if ("Request too large".equals(e.getMessage())) {
            return body(413, 413, "Request body too large");
        }
        return body(400, 400, "Malformed request body: it could not be read");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException j) {
            return json(j);
        }
        if (status >= 500) {
            LOG.error("Request failed", e);
            return body(status, status, "Internal Server Error");
        }
        String message = switch (status) {
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 406 -> "Not acceptable: this API produces application/json";
            case 413 -> "Request body too large";
            case 415 -> "Unsupported media type: send application/json";
            default -> "Bad request";
        };
        return body(status, status, message);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("Unexpected failure handling a request", e);
        return body(500, 500, "Internal Server Error");
    }

    static Response body(int status, int errorCode, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new V3.Error(errorCode, message)).build();
    }

    private static String jsonProblem(JsonProcessingException e) {
        if (e instanceof InvalidFormatException f && !f.getPath().isEmpty()) {
            return "field '" + path(f) + "' has the wrong type";
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            return "field '" + path(m) + "' has the wrong type or shape";
        }
        if (e instanceof MismatchedInputException) {
            return "expected a JSON object";
        }
        var loc = e.getLocation();
        String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.startsWith("Duplicate field")) {
            return "a field is given twice" + at;
        }
        if (e instanceof StreamConstraintsException) {
            return "too deeply nested or too long" + at;
        }
        return "invalid JSON" + at;
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
