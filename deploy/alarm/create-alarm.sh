#!/usr/bin/env bash
# Creates (or updates) the CloudWatch alarm that fires when heartbeats stop: the Heartbeat metric
# that cloudwatch-publisher writes with CWP_EMF_NAMESPACE set, summed per period, alarming when
# it is below 1, with missing data treated as breaching (no heartbeat = no data = alarm).
#
#   deploy/alarm/create-alarm.sh --dimension LogGroup=/monorepo-fem/heartbeat \
#     --dimension Host=node-7 [--namespace CloudWatchPublisher] [--period 300] \
#     [--evaluation-periods 2] [--sns-topic-arn arn:aws:sns:REGION:123456789012:TOPIC] \
#     [--alarm-name NAME] [-- any other AWS CLI option, e.g. --region ap-southeast-2]
#
# The dimensions must be exactly those the publisher writes (CWP_EMF_DIMENSIONS, default
# LogGroup,Host: the log group and the host name). The period must be at least the schedule's
# interval (the default 300 s suits `*/1 * * * *`); the alarm fires after
# period x evaluation-periods without a heartbeat. Needs the AWS CLI and
# cloudwatch:PutMetricAlarm.
set -euo pipefail

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail() { echo "create-alarm.sh: $*" >&2; exit 2; }

# A JSON string literal (the AWS CLI's shorthand syntax cannot hold commas in values).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

namespace=CloudWatchPublisher
period=300
evaluation_periods=2
topic=
alarm_name=
dimensions=()
while (($#)); do
  case $1 in
    --namespace) namespace=${2:?--namespace needs a value}; shift ;;
    --dimension)
      [[ ${2:-} == ?*=?* ]] || fail "--dimension needs Name=Value, got '${2:-}'"
      dimensions+=("$2"); shift ;;
    --period) period=${2:?--period needs seconds}; shift ;;
    --evaluation-periods) evaluation_periods=${2:?--evaluation-periods needs a count}; shift ;;
    --sns-topic-arn) topic=${2:?--sns-topic-arn needs an ARN}; shift ;;
    --alarm-name) alarm_name=${2:?--alarm-name needs a name}; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
  shift
done

((${#dimensions[@]} > 0)) || fail "give the metric's dimensions with --dimension Name=Value"
[[ $period =~ ^[0-9]+$ ]] && ((period >= 60 && period % 60 == 0)) ||
  fail "--period must be a multiple of 60 seconds, got '$period'"
[[ $evaluation_periods =~ ^[0-9]+$ ]] && ((evaluation_periods >= 1)) ||
  fail "--evaluation-periods must be a positive number, got '$evaluation_periods'"

dimension_json=
description=
for d in "${dimensions[@]}"; do
  name=${d%%=*}
  value=${d#*=}
  dimension_json+="${dimension_json:+,}{\"Name\":$(json_string "$name"),\"Value\":$(json_string "$value")}"
  description+="${description:+, }$name=$value"
done
alarm_name=${alarm_name:-"cloudwatch-publisher heartbeat missing ($description)"}

actions=()
if [[ -n $topic ]]; then
  actions=(--alarm-actions "$topic" --ok-actions "$topic")
fi

aws cloudwatch put-metric-alarm \
  --alarm-name "$alarm_name" \
  --alarm-description "No cloudwatch-publisher heartbeat from $description for $((period * evaluation_periods)) s" \
  --namespace "$namespace" \
  --metric-name Heartbeat \
  --dimensions "[$dimension_json]" \
  --statistic Sum \
  --period "$period" \
  --evaluation-periods "$evaluation_periods" \
  --datapoints-to-alarm "$evaluation_periods" \
  --threshold 1 \
  --comparison-operator LessThanThreshold \
  --treat-missing-data breaching \
  "${actions[@]}" \
  "$@"
echo "created alarm: $alarm_name"
