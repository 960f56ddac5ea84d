#!/bin/bash
# Runs librdkafka's own tests (a built librdkafka v2.0.2 tree) one per process against a
# running Tributary cluster and prints "<test> <name>=<PASSED|FAILED|SKIPPED> ..." per test.
# usage: RDKAFKA_TEST_CONF=/abs/test.conf ADMIN_BOOTSTRAP=127.0.0.1:9092 \
#        LIBRDKAFKA=/work/ext/librdkafka OUT=/tmp/rdk run.sh 0001 0002 ...
# ADMIN_BOOTSTRAP is a listener whose principal may create topics and ACLs (kafka-topics.sh
# and kafka-acls.sh are the shims in bin/). Never -Q: quick mode turns many tests into empty passes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${RDKAFKA_TEST_CONF:?absolute path of the test.conf}" "${ADMIN_BOOTSTRAP:?}" "${LIBRDKAFKA:=/work/ext/librdkafka}" "${OUT:=/tmp/librdkafka-conformance}"
mkdir -p "$OUT"; cd "$LIBRDKAFKA/tests" || exit 2
for t in "$@"; do
  KAFKA_PATH=$here BROKERS=$ADMIN_BOOTSTRAP RDKAFKA_TEST_CONF=$RDKAFKA_TEST_CONF LD_LIBRARY_PATH=../src:../src-cpp \
    TESTS=$t TEST_KAFKA_VERSION=${TEST_KAFKA_VERSION:-3.4.0} timeout "${TEST_TIMEOUT:-600}" ./test-runner -p1 -E -L > "$OUT/$t.log" 2>&1
  rc=$?
  res=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/$t.log" | grep -E "^\| *${t}[_a-z0-9]* *\|" | awk -F'|' '{gsub(/ /,"",$2); gsub(/ /,"",$3); printf "%s=%s ", $2, $3}')
  echo "$t rc=$rc ${res:-(no summary: see $OUT/$t.log)}"
done
