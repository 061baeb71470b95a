package io.clusterlink.api.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Refuses a discovery document whose {@code issuer} is not exactly the configured issuer (OpenID Connect
 * Discovery 1.0, section 4.3: such a document must not be used). Quarkus OIDC takes the key set's URL from it,
 * so keys from a document that answers for another issuer are never trusted. The tenant stays uninitialized:
 * bearer tokens are refused (Basic users keep working), the log says why, and each bearer request discovers
 * again, so the service recovers without a restart once the issuer or the setting is corrected.
 */
@ApplicationScoped
@Unremovable // looked up by Quarkus OIDC, injected nowhere
@OidcEndpoint(OidcEndpoint.Type.DISCOVERY)
public class DiscoveryIssuerCheck implements OidcResponseFilter {

    private static final Logger LOG = Logger.getLogger(DiscoveryIssuerCheck.class);

    private final ClusterlinkConfig config;

    DiscoveryIssuerCheck(ClusterlinkConfig config) {
        this.config = config;
    }

    @Override
    public Uni<Void> filter(OidcResponseFilterContext response) {
        String expected = config.api().oidc().issuer().orElse(null);
        if (expected == null || response.statusCode() != 200) {
            return Uni.createFrom().voidItem();
        }
        String discovered;
        try {
            JsonObject document = response.responseBody() == null ? null
                    : new JsonObject(response.responseBody().toString());
            discovered = document == null ? null : document.getString("issuer");
        } catch (DecodeException | ClassCastException e) {
            discovered = null;
        }
        if (expected.equals(discovered)) {
            return Uni.createFrom().voidItem();
        }
        String message = "The OIDC discovery document of " + expected + " names the issuer "
                + (discovered == null ? "(none)" : "'" + discovered + "'")
                + ", not the configured clusterlink.api.oidc.issuer: it is not used and bearer tokens are refused."
                + " Set clusterlink.api.oidc.issuer to exactly the issuer the document names, if that is the right one";
        LOG.warn(message);
        return Uni.createFrom().failure(new IssuerMismatchException(message));
    }

    /** Without a stack trace: Quarkus OIDC logs it (as "OIDC Server is not available") at each new attempt. */
    static final class IssuerMismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IssuerMismatchException(String message) {
            super(message, null, false, false);
        }
    }
}
