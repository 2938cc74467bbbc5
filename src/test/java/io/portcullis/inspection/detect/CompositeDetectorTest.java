package io.portcullis.inspection.detect;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
    void digitlessIpv6NeedsContext() {
        assertThat(DetectorCasesTest.found(detector, "x :: Int")).isEmpty();
        assertThat(DetectorCasesTest.found(detector, "Enum C::D")).isEmpty();
        assertThat(DetectorCasesTest.found(detector, "listen on ipv6 ::")).containsExactly("IP_ADDRESS ::");
    }

    @Test
    void findingsAreSortedByStart() {
        List<String> found = DetectorCasesTest.found(detector, "a@example.com then 192.0.2.1 then b@example.com");
        assertThat(found).containsExactly("EMAIL_ADDRESS a@example.com", "IP_ADDRESS 192.0.2.1",
                "EMAIL_ADDRESS b@example.com");
    }

    /**
     * A base64url blob is one long run of characters that email addresses and secret key names
     * may contain. A pattern that backtracks over such a run takes time quadratic in its length:
     * 200 KB then took minutes, and linear patterns take well under a second.
     */
    @Test
    void longBlobIsScannedInLinearTime() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Random random = new Random(7);
        StringBuilder blob = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            blob.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> detector.detect(blob.toString()));
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
