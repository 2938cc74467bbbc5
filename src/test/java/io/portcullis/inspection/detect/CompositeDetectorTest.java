package io.portcullis.inspection.detect;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompositeDetectorTest {

    private final CompositeDetector detector = CompositeDetector.allDetectors("US", 0.5);

    @Test
    void connectionStringIsNotAlsoEmail() {
        assertThat(DetectorCasesTest.found(detector, "url postgres://app:s3cr3t@db.example.com/app"))
                .containsExactly("CONNECTION_STRING postgres://app:s3cr3t@db.example.com");
    }

    @Test
    void jwtAfterBearerIsJwt() {
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assertThat(DetectorCasesTest.found(detector, "Authorization: Bearer " + jwt)).containsExactly("JWT " + jwt);
    }

    @Test
    void findingsAreSortedByStart() {
        List<String> found = DetectorCasesTest.found(detector, "a@example.com then 192.0.2.1 then b@example.com");
        assertThat(found).containsExactly("EMAIL_ADDRESS a@example.com", "IP_ADDRESS 192.0.2.1",
                "EMAIL_ADDRESS b@example.com");
    }

    @Test
    void invalidMinimumConfidenceIsRejected() {
        assertThatThrownBy(() -> CompositeDetector.allDetectors("US", 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    }

    @Test
    void unknownPhoneRegionIsRejected() {
        assertThatThrownBy(() -> CompositeDetector.allDetectors("XX", 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XX");
    }
}
