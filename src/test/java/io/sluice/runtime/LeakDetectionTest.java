package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {

    @Test
    void theCommandRunsWithoutTheDetectorUnlessAskedFor() {
        assertThat(LeakDetection.choose(null, null)).isEqualTo(Level.DISABLED);
        assertThat(LeakDetection.choose("", null)).isEqualTo(Level.DISABLED);
    }

    @Test
    void theVariableNamesALevelAndWinsOverNettysProperty() {
        assertThat(LeakDetection.choose("paranoid", null)).isEqualTo(Level.PARANOID);
        assertThat(LeakDetection.choose("Advanced", null)).isEqualTo(Level.ADVANCED);
        assertThat(LeakDetection.choose("on", null)).isEqualTo(Level.SIMPLE);
        assertThat(LeakDetection.choose("off", "paranoid")).isEqualTo(Level.DISABLED);
    }

    @Test
    void nettysOwnPropertyIsLeftToNetty() {
        // Maven runs the tests with -Dio.netty.leakDetection.level=paranoid, which Netty has read.
        String property = System.getProperty("io.netty.leakDetection.level");
        assertThat(property).as("the build sets the tests' level").isNotNull();
        assertThat(LeakDetection.choose(null, property).name()).isEqualToIgnoringCase(property);
    }

    @Test
    void aWrongLevelIsAnErrorThatNamesTheChoices() {
        assertThatThrownBy(() -> LeakDetection.choose("loud", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SLUICE_LEAK_DETECTION=loud").hasMessageContaining("paranoid");
    }
}
