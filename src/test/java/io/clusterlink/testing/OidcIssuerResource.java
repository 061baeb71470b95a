package io.clusterlink.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Makes the service under test accept bearer tokens of the {@link TestIssuer}, discovering its keys
 * from the issuer URL. Applied to every Quarkus test (like {@link KafkaClustersResource}) so they all
 * share one application start; the issuer lives for the whole JVM.
 */
public class OidcIssuerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "clusterlink.api.oidc.issuer", TestIssuer.get().issuer(),
                "clusterlink.api.oidc.audience", TestIssuer.AUDIENCE);
    }

    @Override
    public void stop() {
        // The issuer is shared by every test class and stops when the JVM exits.
    }
}
