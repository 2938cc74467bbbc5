package io.portcullis.authentication;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognizes RSA moduli made by the key generator with the ROCA weakness (CVE-2017-15361),
 * whose private keys can be computed from the public key.
 *
 * <p>Such a modulus N has the form k * M + (65537^a mod M), where M is the product of the
 * first primes: the first 126 for keys of 1984 to 3936 bits, more for larger keys. So for each
 * of the first 126 primes p, N mod p lies in the subgroup that 65537 generates modulo p. A
 * random modulus passes all 126 tests with probability about 2^-167 (the product of the
 * subgroup sizes over p - 1), so legitimate keys are practically never refused. Smaller keys use
 * fewer primes and are not covered; the verifier refuses them for their size anyway.
 */
final class RocaFingerprint {

    private static final int PRIME_COUNT = 126;
    private static final int GENERATOR = 65537;

    private static final List<Subgroup> SUBGROUPS = subgroups();

    private RocaFingerprint() {
    }

    /** Returns true when the modulus has the structure of a ROCA-generated key. */
    static boolean matches(BigInteger modulus) {
        for (Subgroup subgroup : SUBGROUPS) {
            if (!subgroup.contains(modulus.mod(subgroup.prime()).intValueExact())) {
                return false;
            }
        }
        return true;
    }

    private static List<Subgroup> subgroups() {
        List<Subgroup> subgroups = new ArrayList<>();
        for (int candidate = 2; subgroups.size() < PRIME_COUNT; candidate++) {
            if (BigInteger.valueOf(candidate).isProbablePrime(50)) {
                subgroups.add(Subgroup.generatedBy(GENERATOR, candidate));
            }
        }
        return List.copyOf(subgroups);
    }

    /** The powers of a generator modulo a prime, as a membership table indexed by residue. */
    private record Subgroup(BigInteger prime, boolean[] members) {

        static Subgroup generatedBy(int generator, int prime) {
            boolean[] members = new boolean[prime];
            int power = 1;
            do {
                members[power] = true;
                power = (int) ((long) power * generator % prime);
            } while (power != 1);
            return new Subgroup(BigInteger.valueOf(prime), members);
        }

        boolean contains(int residue) {
            return members[residue];
        }
    }
}
