package io.clusterlink.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class DemoClustersTest {

    @Test
    void startsForDevModeOnlyWhenMavenRunsQuarkusDev() {
        // Given: Maven's command lines as the POM hands them over (its JVM's sun.java.command)
        String launcher = "org.codehaus.plexus.classworlds.launcher.Launcher";
        List<String> dev = List.of(launcher + " quarkus:dev");
        List<String> devAfterClean = List.of(launcher + " -B clean quarkus:dev -Ddebug=false");
        List<String> devByCoordinates = List.of(launcher + " io.quarkus.platform:quarkus-maven-plugin:3.34.1:dev");
        List<String> verify = List.of(launcher + " -B -ntp verify");
        List<String> runCommand = List.of(launcher + " -Pdemo");
        List<String> remoteDev = List.of(launcher + " quarkus:remote-dev");

        // When / Then
        assertThat(DemoClusters.runsDevMode(dev)).isTrue();
        assertThat(DemoClusters.runsDevMode(devAfterClean)).isTrue();
        assertThat(DemoClusters.runsDevMode(devByCoordinates)).isTrue();
        assertThat(DemoClusters.runsDevMode(verify)).isFalse();
        assertThat(DemoClusters.runsDevMode(runCommand)).isFalse();
        assertThat(DemoClusters.runsDevMode(remoteDev)).isFalse();
    }
}
