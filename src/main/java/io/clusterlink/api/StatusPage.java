package io.clusterlink.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.clusterlink.service.StatusQueries;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A read-only HTML page for people (not part of the API): per destination cluster, the links with
 * their state and task errors, their mirrors with state, lag per partition and a lag plot. It
 * reloads itself every sample interval; it has no script and loads nothing else. {@code ?link=NAME}
 * shows one link only. Same roles as the
 * API's reads (viewer, operator). Link and topic names and error messages are escaped by Qute (the
 * template is HTML), and the {@code Content-Security-Policy} refuses scripts should one slip in.
 */
@Path("/status")
public class StatusPage {

    /** Everything the page shows comes from the service; nothing may be fetched or run. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(StatusPageModel page);
    }

    private final StatusQueries status;

    StatusPage(StatusQueries status) {
        this.status = status;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Response get(@QueryParam("link") String link) {
        String only = link == null || link.isBlank() ? null : link;
        String html = Templates.page(StatusPageModel.of(status.view(), only)).render();
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .build();
    }
}
