package io.clusterlink.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Service settings under {@code clusterlink.*}. Per-link settings are data, not config: see {@code link.LinkConfigs}. */
@ConfigMapping(prefix = "clusterlink")
public interface ClusterlinkConfig {

    /** Destination clusters this service manages, by name: {@code clusterlink.clusters.<name>.*}. */
    Map<String, Cluster> clusters();

    /** The cluster the short-form paths ({@code /links}, {@code /mirrors/...}) act on. */
    @WithName("default-cluster")
    Optional<String> defaultCluster();

    /** Bound on control-plane calls to a source cluster (link validation, promote's end offsets). */
    @WithName("source-timeout")
    @WithDefault("10s")
    Duration sourceTimeout();

    /** Bound on control-plane calls to a destination cluster (topic creation takes twice as long). */
    @WithName("destination-timeout")
    @WithDefault("30s")
    Duration destinationTimeout();

    /**
     * How long what was found out about a destination cluster's read-only enforcement (authorizer,
     * the service's right to alter ACLs) is trusted before it is checked again.
     */
    @WithName("read-only-check-interval")
    @WithDefault("5m")
    Duration readOnlyCheckInterval();

    Secrets secrets();

    Replication replication();

    /** Several instances on one database: who copies what (see the README, "Several instances"). */
    Fleet fleet();

    /** The replication metrics at {@code /q/metrics} (see the README, "Monitoring"). */
    Metrics metrics();

    /** The status page at {@code /status} (see the README, "Monitoring"). */
    Status status();

    /** The links' metadata sync tasks. */
    Sync sync();

    @WithName("embedded-postgres")
    EmbeddedPostgres embeddedPostgres();

    /** Who may call the REST API: HTTP Basic users and OIDC bearer tokens, roles {@code viewer} and {@code operator}. */
    Api api();

    interface Cluster {
        @WithName("bootstrap-servers")
        String bootstrapServers();

        /** Any Kafka client property, e.g. {@code clusterlink.clusters.dest.properties."security.protocol"=SASL_SSL}. */
        Map<String, String> properties();
    }

    interface Secrets {
        /** Base64 AES key (16, 24 or 32 bytes) that encrypts sensitive link configs at rest. */
        Optional<String> key();

        /** Used when no key is configured: read, or created on first start. */
        @WithName("key-file")
        @WithDefault("data/secret.key")
        String keyFile();

        /** Base64 keys replaced by a rotation: they still decrypt values written with them, never encrypt. */
        @WithName("previous-keys")
        Optional<List<String>> previousKeys();
    }

    interface Replication {
        /**
         * How long a mirror partition's end offset must stay the same before a start trusts it (so a
         * write of an earlier writer still on its way has landed), and the first wait after a failed
         * attempt.
         */
        @WithName("fence-interval")
        @WithDefault("2s")
        Duration fenceInterval();

        /** How often desired state in the database is reconciled with running replicators. */
        @WithName("reconcile-interval")
        @WithDefault("1s")
        Duration reconcileInterval();

        /** The longest wait between two failed attempts of one partition (the waits double up to it). */
        @WithName("max-retry-backoff")
        @WithDefault("30s")
        Duration maxRetryBackoff();

        /** Threads that start partitions (verify, position) for all links. */
        @WithName("start-threads")
        @WithDefault("4")
        int startThreads();

        /** Threads that align offsets (write fillers) for all links. */
        @WithName("align-threads")
        @WithDefault("2")
        int alignThreads();

        /** Fillers written between two deletions while aligning: bounds the disk they take. */
        @WithName("align-chunk")
        @WithDefault("10000000")
        long alignChunk();

        /** How often the copy threads check that their source topics are still the ones mirrored (topic ids). */
        @WithName("topic-check-interval")
        @WithDefault("1s")
        Duration topicCheckInterval();

        /**
         * Records that arrive after a partition fetched none for this long are written only after a
         * new topic id check (the source topic may have been deleted and re-created meanwhile).
         */
        @WithName("silence-before-topic-check")
        @WithDefault("200ms")
        Duration silenceBeforeTopicCheck();

        /** Writes not acknowledged for this long are reported on the mirror (they are retried until they are). */
        @WithName("stuck-after")
        @WithDefault("30s")
        Duration stuckAfter();

        /**
         * Heap the replication of all links may use for buffered writes and fetches; default 40%
         * of the maximum heap.
         */
        @WithName("memory-budget")
        Optional<MemorySize> memoryBudget();

        /** Copy threads of all links together; each link keeps at least one. */
        @WithName("max-copy-threads")
        @WithDefault("64")
        int maxCopyThreads();
    }

    interface Sync {
        /** Threads that run the links' sync tasks; each link has at most one run at a time. */
        @WithDefault("4")
        int threads();
    }

    interface Metrics {
        /** How often lags, time lags, mirror states and link states are read for the metrics. */
        @WithName("refresh-interval")
        @WithDefault("5s")
        Duration refreshInterval();
    }

    interface Status {
        /** How often every mirror's lags are sampled for the status page: its figures and its lag plots. */
        @WithName("sample-interval")
        @WithDefault("10s")
        Duration sampleInterval();

        /** How far back the status page's lag plots reach; older samples are dropped. */
        @WithDefault("30m")
        Duration history();
    }

    interface Fleet {
        /** This instance's name in the fleet; default: the host name and the process id. */
        @WithName("instance-id")
        Optional<String> instanceId();

        /**
         * An instance whose fleet session has not been confirmed by the database for this long
         * stops every write at once (its locks may have gone to another instance).
         */
        @WithName("session-timeout")
        @WithDefault("5s")
        Duration sessionTimeout();

        /**
         * How long an instance that takes over a partition whose writer vanished (its session
         * ended with writes possibly in flight) waits before its first write: the vanished writer's
         * write bound. Must exceed {@code session-timeout} and the time a sent write takes to land.
         */
        @WithName("takeover-wait")
        @WithDefault("12s")
        Duration takeoverWait();

        /** How often the session is confirmed and the work balanced over the fleet's members. */
        @WithName("check-interval")
        @WithDefault("1s")
        Duration checkInterval();
    }

    /** Started only when no {@code quarkus.datasource.jdbc.url} is configured. */
    interface EmbeddedPostgres {
        @WithName("data-dir")
        @WithDefault("data/postgres")
        String dataDir();

        /** A fresh database in a temporary directory, deleted at exit (tests). */
        @WithDefault("false")
        boolean ephemeral();

        /** 0 picks a free port. */
        @WithDefault("0")
        int port();
    }

    interface Api {
        Auth auth();

        /** HTTP Basic users by name: {@code clusterlink.api.users.<name>.password-hash} and {@code .roles}. */
        Map<String, User> users();

        /**
         * How long a Basic password that matched its hash is remembered (as an HMAC under a key of this
         * process), so that the next requests with it do not pay for the hash again; {@code 0} turns this off.
         */
        @WithName("credential-cache-ttl")
        @WithDefault("5m")
        Duration credentialCacheTtl();

        /** Back-off for failed Basic logins, per user name and per client address. */
        @WithName("login-throttle")
        LoginThrottle loginThrottle();

        Oidc oidc();

        /**
         * {@code User-Agent} parts of clients that decode only five mirror states (the Terraform
         * provider: its pinned SDK refuses any other); they are shown the nearest of the five. Empty
         * ({@code clusterlink.api.five-state-user-agents=""}) shows every client the real state.
         */
        @WithName("five-state-user-agents")
        @WithDefault("terraform-provider-confluent/")
        Optional<List<String>> fiveStateUserAgents();
    }

    interface Auth {
        /** Require credentials and a role for the v3 and short-form paths (off only in the dev profile). */
        @WithDefault("true")
        boolean enabled();
    }

    interface User {
        /** PBKDF2 hash made by {@code io.clusterlink.api.security.PasswordHash}; never the password itself. */
        @WithName("password-hash")
        String passwordHash();

        /** {@code viewer} (read) and/or {@code operator} (everything). */
        List<String> roles();
    }

    /**
     * Failed Basic logins: after {@code user-failures} failures for one user name, or {@code address-failures}
     * from one client address, further attempts are refused with 429 (no hash computed) for {@code backoff},
     * doubling with each further failure up to {@code max-backoff}. A successful login clears the count; so
     * does {@code window} without a failure.
     */
    interface LoginThrottle {
        @WithName("user-failures")
        @WithDefault("5")
        int userFailures();

        @WithName("address-failures")
        @WithDefault("20")
        int addressFailures();

        @WithDefault("1s")
        Duration backoff();

        @WithName("max-backoff")
        @WithDefault("15m")
        Duration maxBackoff();

        @WithDefault("1h")
        Duration window();
    }

    /**
     * Bearer access tokens (JWT) from an OIDC issuer, verified by Quarkus OIDC; on when {@code issuer} is set.
     * {@code api.security.OidcConfigSourceFactory} turns these into {@code quarkus.oidc.*} (which reads the
     * defaults below from here).
     */
    interface Oidc {
        String DEFAULT_CLOCK_SKEW = "30s";
        String DEFAULT_TIMEOUT = "5s";
        String DEFAULT_JWKS_MIN_REFETCH_INTERVAL = "10s";

        /**
         * Expected {@code iss}; also where the discovery document is ({@code /.well-known/openid-configuration}),
         * whose {@code issuer} must be the same.
         */
        Optional<String> issuer();

        /** The issuer's key set, instead of discovering it. */
        @WithName("jwks-url")
        Optional<String> jwksUrl();

        /** Accepted {@code aud} values: a token must name one of them. Required with {@code issuer}. */
        Optional<List<String>> audience();

        /** Claim with the caller's roles or groups; a dotted path reaches into objects ({@code realm_access.roles}). */
        @WithName("roles-claim")
        @WithDefault("groups")
        String rolesClaim();

        /** Claim values that grant {@code operator}. */
        @WithName("operator-roles")
        @WithDefault("operator")
        List<String> operatorRoles();

        /** Claim values that grant {@code viewer}. */
        @WithName("viewer-roles")
        @WithDefault("viewer")
        List<String> viewerRoles();

        /** Tolerance on {@code exp} and {@code nbf}. */
        @WithName("clock-skew")
        @WithDefault(DEFAULT_CLOCK_SKEW)
        Duration clockSkew();

        /** Bound on connecting to and reading from the issuer (discovery, JWKS). */
        @WithDefault(DEFAULT_TIMEOUT)
        Duration timeout();

        /**
         * No longer used: the keys are fetched at start and again when a token names a key id the service
         * does not know (at most every {@code jwks-min-refetch-interval}). Accepted, with a warning.
         */
        @Deprecated
        @WithName("jwks-refresh-interval")
        Optional<Duration> jwksRefreshInterval();

        /** Least time between fetches of the key set caused by tokens with an unknown key id. */
        @WithName("jwks-min-refetch-interval")
        @WithDefault(DEFAULT_JWKS_MIN_REFETCH_INTERVAL)
        Duration jwksMinRefetchInterval();
    }
}
