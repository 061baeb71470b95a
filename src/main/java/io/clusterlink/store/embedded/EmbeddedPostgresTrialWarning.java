package io.clusterlink.store.embedded;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;

/**
 * Says at start, as a warning, that the embedded PostgreSQL is meant for trials, when the packaged service runs on
 * it outside the demo profile: that is a production deployment that has not configured its database yet. Dev mode,
 * tests and the demo are meant to run on it and stay quiet.
 */
@Singleton
class EmbeddedPostgresTrialWarning {

    static final String DEMO_PROFILE = "demo";

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresTrialWarning.class);

    private final Config config;
    private final ClusterlinkConfig.EmbeddedPostgres embedded;

    EmbeddedPostgresTrialWarning(Config config, ClusterlinkConfig clusterlink) {
        this.config = config;
        this.embedded = clusterlink.embeddedPostgres();
    }

    void warnAtStart(@Observes StartupEvent event) {
        String datasourceSource = config.getConfigValue("quarkus.datasource.jdbc.url").getSourceName();
        List<String> profiles = config.unwrap(SmallRyeConfig.class).getProfiles();
        if (isDue(LaunchMode.current(), profiles, datasourceSource)) {
            LOG.warnf("The embedded PostgreSQL (data in %s) is meant for trials, not for production: it runs as a"
                    + " child of this process on this machine only, without backups, replication or monitoring."
                    + " For production, use an external PostgreSQL: set quarkus.datasource.jdbc.url,"
                    + " quarkus.datasource.username and quarkus.datasource.password (environment variables"
                    + " QUARKUS_DATASOURCE_JDBC_URL, QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD;"
                    + " README, \"Configuration\")",
                    embedded.ephemeral() ? "a temporary directory" : embedded.dataDir());
        }
    }

    /**
     * Whether to warn: the datasource points at the embedded server, and the packaged service runs (not dev mode,
     * not tests) outside the demo profile.
     */
    static boolean isDue(LaunchMode mode, List<String> profiles, String datasourceSource) {
        return EmbeddedPostgresConfigSourceFactory.SOURCE_NAME.equals(datasourceSource)
                && mode == LaunchMode.NORMAL
                && !profiles.contains(DEMO_PROFILE);
    }
}
