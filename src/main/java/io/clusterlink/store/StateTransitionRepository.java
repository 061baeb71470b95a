package io.clusterlink.store;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class StateTransitionRepository implements PanacheRepository<StateTransitionEntity> {

    /** Transitions of a mirror topic that recorded an error, since {@code since}, oldest first. */
    public List<StateTransitionEntity> errorsOf(String clusterId, String mirrorTopicName, Instant since) {
        return list("clusterId = ?1 and mirrorTopicName = ?2 and errorCode is not null and at >= ?3 order by id",
                clusterId, mirrorTopicName, since);
    }
}
