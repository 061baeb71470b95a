package io.clusterlink.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A link row. {@code configs} is JSON with sensitive values already encrypted. */
@Entity
@Table(name = "cluster_links")
public class LinkEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "cluster_id", nullable = false)
    public String clusterId;

    @Column(name = "link_name", nullable = false)
    public String linkName;

    @Column(name = "cluster_link_id", nullable = false)
    public String clusterLinkId;

    @Column(name = "source_cluster_id")
    public String sourceClusterId;

    @Column(name = "configs", nullable = false)
    public String configs;

    @Column(name = "link_state", nullable = false)
    public String linkState;

    @Column(name = "link_error", nullable = false)
    public String linkError;

    @Column(name = "link_error_message")
    public String linkErrorMessage;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;
}
