package io.portcullis.approval;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * Runs Hibernate Reactive work on a fresh duplicated Vert.x context marked safe. Quarkus refuses
 * reactive sessions on other contexts, and approval work also starts from timers and from the
 * PostgreSQL notification handler, which run on root contexts.
 */
final class SafeContext {

    private SafeContext() {
    }

    static <T> Uni<T> run(Vertx vertx, Supplier<Uni<T>> work) {
        Context duplicate = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(duplicate, true);
        return Uni.createFrom().emitter(emitter -> duplicate.runOnContext(ignored -> work.get()
                .subscribe().with(emitter::complete, emitter::fail)));
    }
}
