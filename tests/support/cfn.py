"""CloudFormation templates for tests: a YAML loader that understands the short-form intrinsic
functions (!Ref, !Sub, !If, ...), and a renderer that evaluates the few intrinsics our templates
use (Ref to parameters and AWS::NoValue, Fn::If, Fn::Equals, Fn::Not, Fn::Sub with parameters)
so a resource's properties can be checked as CloudFormation would pass them to the service.
moto 5.2.1 has no CloudFormation support for AWS::CloudWatch::Alarm, hence this.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=CfnLoader)  # noqa: S506 (a SafeLoader subclass)


class Unsupported(AssertionError):
    pass


_NO_VALUE = object()


def render(template: dict[str, Any], resource: str, parameters: dict[str, str]) -> dict[str, Any]:
    """The properties of `resource` with intrinsics evaluated for `parameters` (defaults filled
    in; a parameter without default and value is an error, as in CloudFormation)."""
    values: dict[str, Any] = {}
    for name, spec in template.get("Parameters", {}).items():
        if name in parameters:
            raw: Any = parameters[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise AssertionError(f"parameter {name} has no default and no value")
        values[name] = int(raw) if spec.get("Type") == "Number" else str(raw)
    unknown = set(parameters) - set(values)
    assert not unknown, f"unknown parameters {unknown}"
    conditions: dict[str, bool] = {}

    def ev(node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (ev(x) for x in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                if arg == "AWS::NoValue":
                    return _NO_VALUE
                if arg not in values:
                    raise Unsupported(f"Ref {arg}")
                return values[arg]
            if key == "Fn::If":
                name, yes, no = arg
                return ev(yes) if conditions[name] else ev(no)
            if key == "Fn::Equals":
                a, b = (ev(x) for x in arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not ev(arg[0])
            if key == "Fn::Sub":
                if not isinstance(arg, str):
                    raise Unsupported("Fn::Sub with a variable map")
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(values[m.group(1)]), arg)
            if key.startswith("Fn::") or key == "Condition":
                raise Unsupported(key)
        out = {}
        for k, v in node.items():
            r = ev(v)
            if r is not _NO_VALUE:
                out[k] = r
        return out

    for name, expr in template.get("Conditions", {}).items():
        conditions[name] = bool(ev(expr))
    return ev(template["Resources"][resource]["Properties"])
