package io.clusterlink.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An ACL binding that a link created on its destination cluster, so ACL sync may delete it again.
 * Enum columns hold the Kafka enum names ({@code TOPIC}, {@code LITERAL}, {@code READ}, {@code ALLOW}).
 */
@Entity
@Table(name = "synced_acls")
public class SyncedAclEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "link_id", nullable = false)
    public Long linkId;

    @Column(name = "resource_type", nullable = false)
    public String resourceType;

    @Column(name = "resource_name", nullable = false)
    public String resourceName;

    @Column(name = "pattern_type", nullable = false)
    public String patternType;

    @Column(name = "principal", nullable = false)
    public String principal;

    @Column(name = "host", nullable = false)
    public String host;

    @Column(name = "operation", nullable = false)
    public String operation;

    @Column(name = "permission_type", nullable = false)
    public String permissionType;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
