package io.clusterlink.store;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Audit trail of link and mirror state transitions. */
@Entity
@Table(name = "state_transitions")
public class StateTransitionEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "cluster_id", nullable = false)
    public String clusterId;

    @Column(name = "link_name", nullable = false)
    public String linkName;

    @Column(name = "mirror_topic_name")
    public String mirrorTopicName;

    @Column(name = "from_state")
    public String fromState;

    @Column(name = "to_state", nullable = false)
    public String toState;

    @Column(name = "reason")
    public String reason;

    /** The mirror topic error of a transition into FAILED; null for others. */
    @Column(name = "error_code")
    public String errorCode;

    @Column(name = "at", nullable = false)
    public Instant at;
}
