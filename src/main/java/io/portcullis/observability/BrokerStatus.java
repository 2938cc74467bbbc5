package io.portcullis.observability;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Supplier;

/**
 * The session-event publisher's view of the Kafka broker, shown by {@link BrokerHealthCheck}.
 * The outbox relay calls {@link #register} once at start.
 */
@ApplicationScoped
public class BrokerStatus {

    /** State of the broker as the publisher of this replica last saw it. */
    public enum State {
        /** The last round of events reached Kafka. */
        REACHABLE("reachable"),
        /** The last round of events failed, and the events wait in the outbox. */
        UNREACHABLE("unreachable"),
        /** Another replica holds the relay's lock and publishes, so this one does not contact Kafka. */
        STANDBY("standby"),
        /** This replica relays, but has sent no events since it took the relay's lock. */
        NOT_CONTACTED("not contacted yet");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private volatile Supplier<State> state;

    /** Registers a supplier of the publisher's current state, or null to forget the previous one. */
    public void register(Supplier<State> publisherState) {
        this.state = publisherState;
    }

    /** Returns the current state's label, or {@code no publisher} before a registration. */
    public String describe() {
        Supplier<State> current = state;
        if (current == null) {
            return "no publisher";
        }
        return current.get().label();
    }
}
