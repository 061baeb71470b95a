package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void topicNamesFollowKafkasRules() {
        assertThatCode(() -> TopicNames.checkTopic("t", "orders_v1.eu-west")).doesNotThrowAnyException();
        assertThatCode(() -> TopicNames.checkTopic("t", "x".repeat(249))).doesNotThrowAnyException();
        for (String bad : new String[] { ".", "..", "a b", "a/b", "тема", "x".repeat(250), "a\u0000b" }) {
            assertThatThrownBy(() -> TopicNames.checkTopic("t", bad)).as(bad)
                    .isInstanceOf(ClusterLinkException.InvalidRequest.class);
        }
    }

    @Test
    void linkNamesFollowClusterLinkingsRules() {
        assertThatCode(() -> TopicNames.checkLink("x".repeat(200))).doesNotThrowAnyException();
        assertThatThrownBy(() -> TopicNames.checkLink("x".repeat(201)))
                .isInstanceOf(ClusterLinkException.InvalidRequest.class);
        assertThatThrownBy(() -> TopicNames.checkLink(".."))
                .isInstanceOf(ClusterLinkException.InvalidRequest.class);
    }

    @Test
    void printableEscapesControlCharactersAndTruncates() {
        assertThat(TopicNames.printable("a\u0000b\nc\u202ed")).isEqualTo("a\\u0000b\\u000ac\\u202ed");
        assertThat(TopicNames.printable("x".repeat(10_000))).isEqualTo("x".repeat(80) + "...");
        assertThat(TopicNames.printable("grüße 😀")).isEqualTo("grüße 😀");
        assertThat(TopicNames.printable("\ud83d")).isEqualTo("\\ud83d");
    }

    @Test
    void groupNamesInFiltersAreLimited() {
        assertThatCode(() -> TopicNames.checkGroup("g", "my group/1")).doesNotThrowAnyException();
        assertThatThrownBy(() -> TopicNames.checkGroup("g", "g".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicNames.checkGroup("g", "a\tb")).isInstanceOf(IllegalArgumentException.class);
    }
}
