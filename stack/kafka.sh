#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft, broker and controller in one JVM)
# from Maven Central jars, on 127.0.0.1:$PORTCULLIS_KAFKA_PORT with its controller on
# 127.0.0.1:$PORTCULLIS_KAFKA_CONTROLLER_PORT.
#
#   stack/kafka.sh start|stop|status|restart|install|topics
#
# install copies the jars that stack/kafka/pom.xml lists into
# $PORTCULLIS_CACHE/kafka-<version>/lib. The storage in .stack/data/kafka is formatted
# on the first start only.
set -euo pipefail
SERVICE=kafka
# shellcheck source=stack/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_HOME=$PORTCULLIS_CACHE/kafka-$PORTCULLIS_KAFKA_VERSION
KAFKA_LIB=$KAFKA_HOME/lib
CONFIG=$DATA_DIR/server.properties
LOG_DIRS=$DATA_DIR/kraft
LOG4J_CONFIG=$PORTCULLIS_HOME/stack/kafka/log4j2.properties
START_TIMEOUT=${PORTCULLIS_KAFKA_START_TIMEOUT:-90}
HEAP=${PORTCULLIS_KAFKA_HEAP:--Xmx512m}

do_install() {
    if [[ -f $KAFKA_LIB/.complete ]]; then
        say "Kafka $PORTCULLIS_KAFKA_VERSION jars found in $KAFKA_LIB"
        return 0
    fi
    local start=$SECONDS staging
    say "copying Kafka $PORTCULLIS_KAFKA_VERSION jars from Maven Central into $KAFKA_LIB"
    mkdir -p "$KAFKA_HOME"
    staging=$(mktemp -d "$KAFKA_HOME/lib.XXXXXX")
    "$PORTCULLIS_HOME/mvnw" -q -B -f "$PORTCULLIS_HOME/stack/kafka/pom.xml" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" ||
        {
            rm -rf "$staging"
            die "mvnw dependency:copy-dependencies failed for stack/kafka/pom.xml"
        }
    touch "$staging/.complete"
    rm -rf "$KAFKA_LIB"
    mv "$staging" "$KAFKA_LIB"
    say "Kafka install took $((SECONDS - start)) s ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_LIB" | cut -f1))"
}

write_config() {
    mkdir -p "$DATA_DIR"
    cat >"$CONFIG" <<EOF
# Written by stack/kafka.sh on every start; edit that script instead.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$PORTCULLIS_KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORTCULLIS_KAFKA_PORT,CONTROLLER://127.0.0.1:$PORTCULLIS_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORTCULLIS_KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$LOG_DIRS
num.partitions=1
auto.create.topics.enable=true
# One node: every replication factor and minimum ISR is 1.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

format_storage() {
    [[ -f $LOG_DIRS/meta.properties ]] && return 0
    local cluster_id
    cluster_id=$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n 1)
    [[ -n $cluster_id ]] || {
        show_log_tail
        die "kafka.tools.StorageTool random-uuid printed no cluster id"
    }
    say "formatting storage $LOG_DIRS with cluster id $cluster_id"
    java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >>"$LOG_FILE" 2>&1 || {
        show_log_tail
        die "kafka.tools.StorageTool format failed"
    }
}

# Lists the topics, which needs a broker that serves metadata requests.
list_topics() {
    timeout 30 java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" \
        -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dportcullis.kafka.log="$STACK_DIR/logs/kafka-tools.log" \
        org.apache.kafka.tools.TopicCommand --bootstrap-server "$PORTCULLIS_KAFKA_BOOTSTRAP" --list
}

healthy() {
    port_open "$PORTCULLIS_KAFKA_PORT" && list_topics >/dev/null 2>&1
}

do_start() {
    local pid
    if pid=$(running_pid); then
        if healthy; then
            say "already running (pid $pid) at $PORTCULLIS_KAFKA_BOOTSTRAP"
            return 0
        fi
        say "pid $pid is running but not healthy yet, waiting"
    else
        require_free_port "$PORTCULLIS_KAFKA_PORT"
        require_free_port "$PORTCULLIS_KAFKA_CONTROLLER_PORT"
        do_install
        write_config
        format_storage
        say "starting broker on $PORTCULLIS_KAFKA_BOOTSTRAP (controller 127.0.0.1:$PORTCULLIS_KAFKA_CONTROLLER_PORT, heap $HEAP)"
        start_daemon java -Xms128m "$HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dportcullis.kafka.log="$LOG_FILE" \
            -cp "$KAFKA_LIB/*" kafka.Kafka "$CONFIG"
    fi
    if ! wait_until "$START_TIMEOUT" healthy; then
        show_log_tail
        die "broker did not return a topic listing on $PORTCULLIS_KAFKA_BOOTSTRAP within $START_TIMEOUT s"
    fi
    say "ready at $PORTCULLIS_KAFKA_BOOTSTRAP"
}

do_stop() {
    # A controlled shutdown of a single KRaft node takes a few seconds.
    stop_daemon 30
}

do_status() {
    report_status "bootstrap $PORTCULLIS_KAFKA_BOOTSTRAP" "the topic listing on $PORTCULLIS_KAFKA_BOOTSTRAP"
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart)
        do_stop
        do_start
        ;;
    install) do_install ;;
    topics) list_topics ;;
    *)
        echo "usage: $0 start|stop|status|restart|install|topics" >&2
        exit 2
        ;;
esac
