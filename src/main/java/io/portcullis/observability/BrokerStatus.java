package io.portcullis.observability;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.BooleanSupplier;

/**
 * The session-event publisher's view of the Kafka broker, shown by {@link BrokerHealthCheck}.
 * The outbox relay calls {@link #register} once at start.
 */
@ApplicationScoped
public class BrokerStatus {

    private volatile BooleanSupplier reachable;

    /**
     * Registers a supplier that returns false while the publisher cannot reach Kafka, or null to
     * forget the previous one.
     */
    public void register(BooleanSupplier brokerReachable) {
        this.reachable = brokerReachable;
    }

    /** Returns {@code reachable}, {@code unreachable}, or {@code no publisher} before a registration. */
    public String describe() {
        BooleanSupplier current = reachable;
        if (current == null) {
            return "no publisher";
        }
        return current.getAsBoolean() ? "reachable" : "unreachable";
    }
}
