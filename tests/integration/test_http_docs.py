#!/usr/bin/env python3
"""The route table of `leadimport serve --print-routes`, docs/openapi.yaml
and docs/api.md describe the same routes: same methods and paths, the same
authentication, an example for each; every error code the page names is a
code of the catalogue."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402

OPENAPI = os.path.join(li.SOURCE_DIR, "docs", "openapi.yaml")
API_MD = os.path.join(li.SOURCE_DIR, "docs", "api.md")
METHODS = ("get", "post", "put", "delete", "patch", "head", "options")


def setUpModule():
    lh.require_serve()


def openapi_paths(text):
    """{path: {method: operation text}} of the `paths:` section, read by
    indentation (the file keeps the usual two-space layout), so that the
    test needs no YAML library."""
    out = {}
    in_paths = False
    path = method = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_paths = line.rstrip() == "paths:"
            path = method = None
            continue
        if not in_paths:
            continue
        m = re.match(r"^  (['\"]?)(/[^'\"]*)\1:\s*$", line)
        if indent == 2 and m:
            path, method = m.group(2), None
            out[path] = {}
            continue
        m = re.match(r"^    (\w+):\s*$", line)
        if indent == 4 and path and m and m.group(1) in METHODS:
            method = m.group(1)
            out[path][method] = ""
            continue
        if path and method and indent > 4:
            out[path][method] += line.strip() + "\n"
    return out


def catalogue_codes():
    with open(os.path.join(li.SOURCE_DIR, "include", "leadimport", "messages.def"),
              encoding="utf-8") as f:
        return set(re.findall(r'^LI_MSG_X\(\s*\w+\s*,\s*"([a-z0-9_]+)"', f.read(), re.M))


class RoutesAreDocumented(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.routes = lh.print_routes()
        cls.table = {(r["method"].upper(), r["path"]) for r in cls.routes}
        with open(OPENAPI, encoding="utf-8") as f:
            cls.yaml_text = f.read()
        cls.paths = openapi_paths(cls.yaml_text)
        with open(API_MD, encoding="utf-8") as f:
            cls.md = f.read()

    def test_openapi_lists_exactly_the_route_table(self):
        documented = {(m.upper(), p) for p, ops in self.paths.items() for m in ops}
        self.assertTrue(documented, "no paths read from openapi.yaml")
        self.assertEqual(sorted(self.table - documented), [], "routes missing from openapi.yaml")
        self.assertEqual(sorted(documented - self.table), [],
                         "openapi.yaml documents routes the server does not have")

    def test_openapi_is_openapi_3_and_parses(self):
        self.assertRegex(self.yaml_text, r"(?m)^openapi: ['\"]?3\.\d+\.\d+")
        try:
            import yaml
        except ImportError:  # the structure was checked above without it
            return
        doc = yaml.safe_load(self.yaml_text)
        self.assertTrue(doc["info"]["title"])
        self.assertEqual({(m.upper(), p) for p, ops in doc["paths"].items() for m in ops
                          if m in METHODS}, self.table)
        for p, ops in doc["paths"].items():
            for m, op in ops.items():
                if m not in METHODS:
                    continue
                with self.subTest(route=(m, p)):
                    self.assertIn("responses", op)
                    self.assertTrue(op.get("summary") or op.get("description"))
                    for name in re.findall(r"\{(\w+)\}", p):
                        params = op.get("parameters", []) + ops.get("parameters", [])
                        self.assertTrue(any(x.get("name") == name or "$ref" in x for x in params),
                                        "path parameter %s undeclared" % name)

    def test_openapi_says_who_may_call_each_route(self):
        # security: [] for auth none and signed, the session cookie otherwise
        for r in self.routes:
            op = self.paths[r["path"]][r["method"].lower()]
            with self.subTest(route=(r["method"], r["path"])):
                if r["auth"] in ("none", "signed"):
                    self.assertRegex(op, r"security: \[\]")
                else:
                    self.assertNotRegex(op, r"security: \[\]")
                if r["csrf"]:
                    self.assertIn("csrf", op.lower())
                if r["auth"] == "admin":
                    self.assertIn("403", op)

    def test_api_md_has_a_section_and_a_curl_example_per_route(self):
        sections = re.split(r"(?m)^### ", self.md)
        found = {}
        for s in sections[1:]:
            title = s.split("\n", 1)[0]
            m = re.match(r"`?(GET|POST|PUT|DELETE|PATCH) (/\S*?)`?\s*$", title)
            if m:
                found[(m.group(1), m.group(2))] = s
        self.assertEqual(sorted(self.table - set(found)), [], "routes missing from api.md")
        self.assertEqual(sorted(set(found) - self.table), [], "api.md documents unknown routes")
        for route, text in found.items():
            with self.subTest(route=route):
                self.assertIn("curl", text, "no curl example")
                self.assertRegex(text, r"```(json|http|text|csv)?", "no answer shown")

    def test_error_codes_named_in_the_docs_exist(self):
        codes = catalogue_codes()
        named = set(re.findall(r'"code":\s*"([a-z0-9_]+)"', self.md + self.yaml_text))
        named |= set(re.findall(r"^\| `([a-z0-9_]+)` \| \d{3} \|", self.md, re.M))
        self.assertTrue(named)
        self.assertEqual(sorted(named - codes), [], "codes not in the catalogue")


if __name__ == "__main__":
    li.main()
