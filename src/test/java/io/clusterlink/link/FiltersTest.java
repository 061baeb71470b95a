package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class FiltersTest {

    /** The three filter files of the seed migration walkthrough, as written there. */
    static final String SEED_TOPICS = """
            {
              "topicFilters": [
                {
                  "name": "test-topic",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    static final String SEED_GROUPS = """
            {
              "groupFilters": [
                {
                  "name": "test-group",
                  "patternType": "LITERAL",
                  "filterType": "INCLUDE"
                }
              ]
            }""";
    static final String ALL_ACLS = """
            {
              "aclFilters": [
                {
                  "resourceFilter": {
                    "resourceType": "any",
                    "patternType": "any"
                  },
                  "accessFilter": {
                    "operation": "any",
                    "permissionType": "any"
                  }
                }
              ]
            }""";

    private static AclBinding readAcl(String principal, String topic) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
    }

    @Test
    void seedFiltersSelectTheirTopicAndGroup() {
        NameFilters topics = NameFilters.parse(SEED_TOPICS, NameFilters.TOPIC_FILTERS);
        NameFilters groups = NameFilters.parse(SEED_GROUPS, NameFilters.GROUP_FILTERS);

        assertThat(topics.matches("test-topic")).isTrue();
        assertThat(topics.matches("test-topic-2")).isFalse();
        assertThat(groups.matches("test-group")).isTrue();
        assertThat(groups.matches("other-group")).isFalse();
    }

    @Test
    void wildcardPrefixAndExcludeWins() {
        NameFilters filters = NameFilters.parse("""
                {"topicFilters":[
                  {"name":"*","patternType":"LITERAL","filterType":"INCLUDE"},
                  {"name":"tmp-","patternType":"PREFIXED","filterType":"EXCLUDE"},
                  {"name":"orders-tmp","patternType":"LITERAL","filterType":"EXCLUDE"}]}""",
                NameFilters.TOPIC_FILTERS);

        assertThat(filters.matches("orders")).isTrue();
        assertThat(filters.matches("tmp-1")).isFalse();
        assertThat(filters.matches("orders-tmp")).isFalse();
    }

    @Test
    void nothingMatchesWithoutAnInclude() {
        NameFilters filters = NameFilters.parse(
                "{\"groupFilters\":[{\"name\":\"g\",\"patternType\":\"LITERAL\",\"filterType\":\"EXCLUDE\"}]}",
                NameFilters.GROUP_FILTERS);

        assertThat(filters.matches("other")).isFalse();
    }

    @Test
    void rejectsMalformedNameFiltersNamingTheProblem() {
        assertThatThrownBy(() -> NameFilters.parse("{\"topicFilters\":", NameFilters.TOPIC_FILTERS))
                .hasMessage("is not valid JSON");
        assertThatThrownBy(() -> NameFilters.parse("{\"groupFilters\":[]}", NameFilters.TOPIC_FILTERS))
                .hasMessageContaining("unknown field 'groupFilters'");
        assertThatThrownBy(() -> NameFilters.parse(
                "{\"topicFilters\":[{\"name\":\"t\",\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\",\"x\":1}]}",
                NameFilters.TOPIC_FILTERS)).hasMessage("topicFilters[0] has an unknown field 'x'");
        assertThatThrownBy(() -> NameFilters.parse(
                "{\"topicFilters\":[{\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\"}]}",
                NameFilters.TOPIC_FILTERS)).hasMessage("topicFilters[0].name is required");
        assertThatThrownBy(() -> NameFilters.parse(
                "{\"topicFilters\":[{\"name\":\"t\",\"patternType\":\"LITERAL\",\"filterType\":\"WHITELIST\"}]}",
                NameFilters.TOPIC_FILTERS))
                .hasMessage("topicFilters[0].filterType 'WHITELIST' is not one of [INCLUDE, EXCLUDE]");
        assertThatThrownBy(() -> NameFilters.parse(
                "{\"topicFilters\":[{\"name\":\"*\",\"patternType\":\"PREFIXED\",\"filterType\":\"INCLUDE\"}]}",
                NameFilters.TOPIC_FILTERS)).hasMessageContaining("'*' needs patternType LITERAL");
    }

    @Test
    void matchAllAclFilterMatchesAnyBinding() {
        AclFilters filters = AclFilters.parse(ALL_ACLS);

        assertThat(filters.matches(readAcl("User:test-user", "test-topic"))).isTrue();
    }

    @Test
    void aclNamesAreCaseInsensitiveAndCamelCaseIsAccepted() {
        AclFilters filters = AclFilters.parse("""
                {"aclFilters":[{"resourceFilter":{"resourceType":"topic","name":"test-topic","patternType":"literal"},
                  "accessFilter":{"principal":"User:test-user","host":"*","operation":"READ","permissionType":"Allow"}},
                 {"resourceFilter":{"resourceType":"TOPIC","patternType":"any"},
                  "accessFilter":{"operation":"describeConfigs","permissionType":"allow"}}]}""");

        assertThat(filters.matches(readAcl("User:test-user", "test-topic"))).isTrue();
        assertThat(filters.matches(readAcl("User:other", "test-topic"))).isFalse();
        assertThat(filters.filters().get(1).entryFilter().operation()).isEqualTo(AclOperation.DESCRIBE_CONFIGS);
        assertThat(filters.filters().get(0).entryFilter().permissionType()).isEqualTo(AclPermissionType.ALLOW);
    }

    @Test
    void rejectsMalformedAclFiltersNamingTheProblem() {
        assertThatThrownBy(() -> AclFilters.parse("{\"aclFilters\":[]}"))
                .hasMessage("aclFilters field cannot be empty");
        assertThatThrownBy(() -> AclFilters.parse(
                "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"table\",\"patternType\":\"any\"},"
                        + "\"accessFilter\":{\"operation\":\"any\",\"permissionType\":\"any\"}}]}"))
                .hasMessageContaining("aclFilters[0].resourceFilter.resourceType 'table' is not one of");
        assertThatThrownBy(() -> AclFilters.parse(
                "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":\"any\"}}]}"))
                .hasMessage("aclFilters[0].accessFilter is required and must be an object");
        assertThatThrownBy(() -> AclFilters.parse(
                "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":\"any\",\"id\":1},"
                        + "\"accessFilter\":{\"operation\":\"any\",\"permissionType\":\"any\"}}]}"))
                .hasMessage("aclFilters[0].resourceFilter has an unknown field 'id'");
        assertThatThrownBy(() -> AclFilters.parse(
                "{\"aclFilters\":[{\"resourceFilter\":{\"resourceType\":\"any\",\"patternType\":\"any\"},"
                        + "\"accessFilter\":{\"operation\":\"any\"}}]}"))
                .hasMessage("aclFilters[0].accessFilter.permissionType is required");
    }

    @Test
    void linkConfigValidationUsesTheFilterParsers() {
        assertThatThrownBy(() -> LinkConfigs.validate(java.util.Map.of("bootstrap.servers", "h:9092",
                "acl.sync.enable", "true", "acl.filters", "{\"aclFilters\":[]}")))
                .hasMessageContaining("for link config 'acl.filters': aclFilters field cannot be empty");
        assertThat(LinkConfigs.validate(java.util.Map.of("bootstrap.servers", "h:9092",
                "auto.create.mirror.topics.enable", "true", "auto.create.mirror.topics.filters", SEED_TOPICS,
                "consumer.offset.sync.enable", "true", "consumer.offset.group.filters", SEED_GROUPS,
                "acl.sync.enable", "true", "acl.filters", ALL_ACLS))).hasSize(7);
    }
}
