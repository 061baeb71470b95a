package io.clusterlink.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A mirror topic row: intent and state. Offsets columns are JSON arrays indexed by partition. */
@Entity
@Table(name = "mirror_topics")
public class MirrorEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "link_id", nullable = false)
    public Long linkId;

    @Column(name = "cluster_id", nullable = false)
    public String clusterId;

    @Column(name = "mirror_topic_name", nullable = false)
    public String mirrorTopicName;

    @Column(name = "source_topic_name", nullable = false)
    public String sourceTopicName;

    @Column(name = "source_topic_id")
    public String sourceTopicId;

    @Column(name = "num_partitions", nullable = false)
    public int numPartitions;

    @Column(name = "mirror_status", nullable = false)
    public String mirrorStatus;

    @Column(name = "mirror_topic_error", nullable = false)
    public String mirrorTopicError;

    @Column(name = "status_message")
    public String statusMessage;

    @Column(name = "state_time_ms", nullable = false)
    public long stateTimeMs;

    @Column(name = "start_offsets", nullable = false)
    public String startOffsets;

    @Column(name = "stop_offsets")
    public String stopOffsets;

    @Column(name = "source_configs")
    public String sourceConfigs;

    @Column(name = "creating", nullable = false)
    public boolean creating;

    @Column(name = "stop_mode", nullable = false)
    public String stopMode;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Version
    public long version;
}
