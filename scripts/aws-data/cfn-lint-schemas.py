"""Prints, as JSON, what cfn-lint ships about the resource types named on the command line.

Called by generate-resource-schemas.ts; not meant to be run by hand. For each type: the provider
schema of us-east-1 exactly as cfn-lint stores it (AWS's registry schema with cfn-lint's patches
applied and descriptions removed), and cfn-lint's extension schemas for that type (extra JSON
schemas its rules apply to the type's properties, with the ids of those rules). Also the patterns behind cfn-lint's custom
formats (AWS::EC2::VPC.Id, ...). Usage: python3 cfn-lint-schemas.py AWS::S3::Bucket ...
"""

import importlib
import inspect
import json
import os
import pkgutil
import re
import sys

import cfnlint
import cfnlint.rules.formats as formats_package
from cfnlint.data.schemas.providers import us_east_1
from cfnlint.version import __version__

ROOT = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def extension_rules():
    """(extension folder, file name) -> ids of the cfn-lint rules that apply that extension schema."""
    rules_root = os.path.join(os.path.dirname(cfnlint.__file__), "rules")
    found = {}
    for folder, _, files in os.walk(rules_root):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                source = handle.read()
            ids = re.findall(r'^\s+id = "([EWI]\d+)"', source, re.M)
            modules = re.findall(r"schemas\.extensions\.(\w+)", source)
            files_named = re.findall(r'"([\w.-]+\.json)"', source)
            for module in modules:
                for file_name in files_named:
                    found.setdefault((module, file_name), set()).update(ids)
    return found


def extensions_of(type_name, rules):
    module = type_name.lower().replace("::", "_")
    folder = os.path.join(ROOT, "extensions", module)
    if not os.path.isdir(folder):
        return {}
    return {
        name: {"rules": sorted(rules.get((module, name), [])), "schema": load(os.path.join(folder, name))}
        for name in sorted(os.listdir(folder))
        if name.endswith(".json")
    }


def format_patterns():
    """Format name -> pattern, from the rules that check one. A format two rules claim (cfn-lint's
    LogGroupName rule declares AWS::EC2::Subnet.Id) goes to the rule named after it."""
    patterns, owners = {}, {}
    for module_info in pkgutil.iter_modules(formats_package.__path__):
        module = importlib.import_module(f"{formats_package.__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            try:
                rule = cls()
            except TypeError:
                continue
            fmt, pattern = getattr(rule, "format_keyword", None), getattr(rule, "pattern", None)
            if not isinstance(fmt, str) or not isinstance(pattern, str) or not pattern:
                continue
            named = cls.__name__.lower().endswith(re.sub(r"[^a-z]", "", fmt.split("::")[-1].lower()))
            if fmt not in patterns or (named and not owners[fmt]):
                patterns[fmt], owners[fmt] = pattern, named
    return patterns


def main(types):
    out = {"cfnLintVersion": __version__, "region": "us-east-1", "types": {}, "missing": []}
    rules = extension_rules()
    for type_name in types:
        digest = us_east_1.types.get(type_name)
        if digest is None:
            out["missing"].append(type_name)
            continue
        out["types"][type_name] = {
            "schema": load(os.path.join(ROOT, "resources", f"{digest}.json")),
            "extensions": extensions_of(type_name, rules),
        }
    out["formats"] = format_patterns()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
