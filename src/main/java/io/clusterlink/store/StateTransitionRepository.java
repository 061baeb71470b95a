package io.clusterlink.store;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class StateTransitionRepository implements PanacheRepository<StateTransitionEntity> {

    public List<StateTransitionEntity> listForMirror(String clusterId, String mirrorTopicName) {
        return list("clusterId = ?1 and mirrorTopicName = ?2 order by id", clusterId, mirrorTopicName);
    }
}
