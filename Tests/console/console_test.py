#!/usr/bin/env python3
"""The web console in a real browser: headless Chromium (Debian) driven by Selenium, against a
live `dryad serve` seeded here, pasting tokens as a person would. Checks what each page shows,
that hostile stored text stays text, that a member sees only what the API lets it, that the
browser logged no JavaScript error, and axe-core's serious and critical findings (none allowed);
keeps screenshots at 1280x720 and 390 px wide in .build/console-screenshots.

Usage: Tests/console/console_test.py path/to/dryad   (run by Tests/console/run.sh)
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mcp"))
from serve import start_serve  # noqa: E402

DRYAD = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="dryad-console-")
SHOTS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".build", "console-screenshots"))
ENV = {**os.environ, "DRYAD_DB": os.path.join(WORK, "dryad.db")}
ENV.pop("DRYAD_TOKEN", None)
ENV.pop("DRYAD_AS", None)
DOWNLOADS = os.path.join(WORK, "downloads")
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1"> <a href="javascript:window.pwned=1">x</a>'
PASSED = []


def passed(name):
    PASSED.append(name)
    print(f"ok - console: {name}", flush=True)


def dryad(*args):
    done = subprocess.run([DRYAD, *args], env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"dryad {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def seed():
    dryad("principals", "add", "agent", "--type", "agent")
    dryad("tools", "register", "echo", "--description", "Echoes its input.", "--command", "/bin/cat", "--tag", "demo")
    dryad("tools", "register", "fail", "--description", "Always fails.", "--command", "/bin/false", "--tag", "demo")
    dryad("tools", "register", "hostile", "--description", HOSTILE, "--command", "/bin/cat", "--tag", "demo")
    # A name that is also a fixed route of the API (`GET /tools/stats`).
    dryad("tools", "register", "stats", "--description", "Named like a route.", "--command", "/bin/cat")
    for _ in range(5):
        dryad("tools", "execute", "echo", "--input", '{"n": 1}')
    subprocess.run([DRYAD, "tools", "execute", "fail", "--input", "{}"], env=ENV, capture_output=True)
    dryad("perms", "grant", "echo", "--principal", "agent", "--level", "read")
    root = json.loads(dryad("memory", "store", "--agent", "planner", "--key", "team", "-o", "json",
                            "--data", json.dumps({"style": {"lang": "en"}, "goal": "ship", "note": HOSTILE})))
    child = json.loads(dryad("memory", "store", "--agent", "planner", "--key", "sprint", "--parent", root["id"], "-o", "json",
                             "--data", '{"goal": "launch"}'))
    dryad("memory", "update", child["id"], "--data", '{"goal": "launch", "owner": "ana"}')
    dryad("errors", "log", "--context", child["id"], "--type", "build", "--message", "the build broke")
    return root["id"], child["id"]


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_rendered(driver, hash_):
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.rendered") == hash_)


def paste_token(driver, token):
    # The page rendered before the token: wait for the render the token starts, not that one.
    driver.execute_script("document.body.dataset.rendered = ''")
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()


def go(driver, hash_):
    driver.execute_script("document.body.dataset.rendered = ''; location.hash = arguments[0];", hash_)
    wait_rendered(driver, hash_)


def check_axe(driver, name):
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, f"{name}: {json.dumps([(v['id'], v['impact'], v['help']) for v in serious])}"


def javascript_errors(driver, allowed=()):
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return [e for e in errors if not any(a in e["message"] for a in allowed)]


def admin_checks(address, token):
    os.makedirs(SHOTS, exist_ok=True)
    for width, height, label in [(1280, 720, "wide"), (390, 844, "narrow")]:
        driver = browser(width, height)
        try:
            driver.get(address + "/")
            assert driver.current_url.endswith("/console/"), driver.current_url
            wait_rendered(driver, "#/overview")
            assert "paste a token" in driver.find_element(By.ID, "status").text
            paste_token(driver, token)
            wait_rendered(driver, "#/overview")
            WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located((By.ID, "runs-last-hour")))
            figures = {li.get_attribute("data-status"): li.find_element(By.TAG_NAME, "strong").text
                       for li in driver.find_elements(By.CSS_SELECTOR, "#runs-last-hour li")}
            assert figures["succeeded"] == "5" and figures["failed"] == "1", figures
            server = {li.get_attribute("data-figure"): li.find_element(By.TAG_NAME, "strong").text
                      for li in driver.find_elements(By.CSS_SELECTOR, "#server-figures li")}
            version = dryad("version").split()[-1]
            assert server, driver.find_element(By.TAG_NAME, "main").text
            assert server["version"] == version and server["schema"] == "16", server
            assert server["size"].endswith(" MiB") and float(server["rate"]) > 0 and server["p99"].startswith("≤ "), server
            driver.save_screenshot(os.path.join(SHOTS, f"overview-{label}.png"))
            check_axe(driver, f"overview {label}")

            go(driver, "#/tools")
            assert driver.find_element(By.ID, "tool-count").text == "4 tools"
            cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "tbody td")]
            assert HOSTILE in cells, cells
            assert driver.execute_script("return window.pwned === undefined"), "a stored description ran as script"
            assert not driver.find_elements(By.CSS_SELECTOR, "tbody img, tbody script, tbody a[href^=javascript]")
            driver.save_screenshot(os.path.join(SHOTS, f"tools-{label}.png"))
            check_axe(driver, f"tools {label}")

            go(driver, "#/tools?q=fail")
            assert driver.find_element(By.ID, "tool-count").text == "1 tools"

            go(driver, "#/tools/hostile")
            assert HOSTILE in driver.find_element(By.TAG_NAME, "main").text
            assert not driver.find_elements(By.CSS_SELECTOR, "main img, main script, main a[href^=javascript]")
            go(driver, "#/tools/echo")
            assert "every" not in driver.find_element(By.ID, "tool-grants").text
            assert [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#tool-grants td")] == ["agent", "read"]
            assert len(driver.find_elements(By.CSS_SELECTOR, "#recent-runs tbody tr")) == 5
            go(driver, "#/tools/stats")
            assert "Named like a route." in driver.find_element(By.TAG_NAME, "main").text, driver.find_element(By.TAG_NAME, "main").text

            go(driver, "#/tools/echo")
            plot = driver.find_element(By.CSS_SELECTOR, "svg.plot")
            points = int(plot.get_attribute("data-points"))
            assert points in (24, 25), points
            bars = driver.find_elements(By.CSS_SELECTOR, "svg.plot rect.bar[data-status=succeeded]")
            assert len(bars) == 1, len(bars)
            assert driver.find_elements(By.CSS_SELECTOR, "svg.plot polyline[data-series=p50_ms]")
            driver.save_screenshot(os.path.join(SHOTS, f"tool-{label}.png"))
            check_axe(driver, f"tool {label}")

            go(driver, "#/audit?action=tools.execute")
            assert "chain verified" in driver.find_element(By.ID, "audit-verified").text
            actions = {td.text for td in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(4)")}
            assert actions == {"tools.execute"}, actions
            shown = len(driver.find_elements(By.CSS_SELECTOR, "tbody tr"))
            assert driver.find_element(By.ID, "audit-count").text == f"{shown} entries, oldest first"
            if label == "wide":
                driver.find_element(By.ID, "audit-export").click()
                exported = os.path.join(DOWNLOADS, "dryad-audit.json")
                for _ in range(50):
                    if os.path.exists(exported):
                        break
                    time.sleep(0.1)
                with open(exported) as f:
                    assert len(json.load(f)) == shown
            driver.save_screenshot(os.path.join(SHOTS, f"audit-{label}.png"))
            check_axe(driver, f"audit {label}")

            root, child = CONTEXTS
            go(driver, "#/memory?agent=planner")
            assert driver.find_element(By.ID, "memory-count").text == "1 trees"
            tree = driver.find_element(By.CSS_SELECTOR, f"details.tree[data-id='{root}']")
            tree.find_element(By.TAG_NAME, "summary").click()
            WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"details.tree[data-id='{child}']"))
            check_axe(driver, f"memory {label}")

            go(driver, f"#/memory/{child}")
            rows = {tr.find_elements(By.TAG_NAME, "td")[0].text: tr.find_elements(By.TAG_NAME, "td")[2].text
                    for tr in driver.find_elements(By.CSS_SELECTOR, "#resolved tbody tr")}
            assert rows["/goal"] == "this context" and rows["/owner"] == "this context", rows
            assert rows["/style/lang"] == "ancestor 1 (team)" and rows["/note"] == "ancestor 1 (team)", rows
            assert json.dumps(HOSTILE) in driver.find_element(By.ID, "resolved").text
            assert not driver.find_elements(By.CSS_SELECTOR, "main img, main script, main a[href^=javascript]")
            changes = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")]
            assert changes == [["added", "/owner", "", '"ana"']], changes
            assert "the build broke" in driver.find_element(By.TAG_NAME, "main").text
            driver.save_screenshot(os.path.join(SHOTS, f"memory-{label}.png"))
            check_axe(driver, f"context {label}")

            go(driver, "#/memory?q=launch")
            assert driver.find_element(By.ID, "memory-count").text == "1 matches"

            go(driver, "#/connect")
            assert address + "/mcp" in driver.find_element(By.TAG_NAME, "main").text
            check_axe(driver, f"connect {label}")

            # Keyboard: every control is reachable with Tab.
            driver.find_element(By.TAG_NAME, "body").click()
            reached = set()
            for _ in range(30):
                webdriver.ActionChains(driver).send_keys("\ue004").perform()
                reached.add(driver.execute_script("return document.activeElement.id || document.activeElement.textContent.trim()"))
            assert {"Overview", "Tools", "Memory", "Audit", "Connect an agent", "token", "Use token", "forget"} <= reached, reached

            errors = javascript_errors(driver)
            assert not errors, errors
        finally:
            driver.quit()
    passed("pages render for an admin: server figures, runs, tools with filters (one named like an API route), a plot with one point per bucket, "
           "the verified audit chain and its export")
    passed("memory: trees opened lazily, a context's resolved values attributed to the ancestor they came from, "
           "its versions as a diff, its open errors, search")
    passed("hostile stored text (a tool description, context data) renders as text and runs nothing")
    passed("axe-core finds no serious or critical violation at 1280x720 and 390 px; controls reachable with Tab")


def member_checks(address, token):
    driver = browser(1280, 720)
    try:
        driver.get(address + "/console/")
        wait_rendered(driver, "#/overview")
        paste_token(driver, token)
        wait_rendered(driver, "#/overview")
        WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located((By.ID, "server-figures-note")))
        assert not driver.find_elements(By.ID, "server-figures")
        go(driver, "#/tools")
        assert driver.find_element(By.ID, "tool-count").text == "1 tools"
        go(driver, "#/tools/echo")
        assert "shown to admins" in driver.find_element(By.ID, "tool-grants").text
        go(driver, "#/audit")
        assert "HTTP 403" in driver.find_element(By.ID, "status").text
        errors = javascript_errors(driver, allowed=("403",))
        assert not errors, errors
        driver.find_element(By.ID, "forget").click()
        assert driver.execute_script("return sessionStorage.getItem('dryad.token')") is None
    finally:
        driver.quit()
    passed("a member's token sees only what the API lets it see (no server figures, no grants), and can be forgotten")


def main():
    global CONTEXTS
    CONTEXTS = seed()
    server, address = start_serve(DRYAD, ENV, WORK)
    try:
        dryad("principals", "add", "ops", "--type", "user", "--role", "admin")
        admin = dryad("tokens", "issue", "ops", "--ttl", "1h").strip()
        member = dryad("tokens", "issue", "agent", "--ttl", "1h").strip()
        headers = subprocess.run(["curl", "-sI", address + "/console/"], capture_output=True, text=True).stdout.lower()
        assert ("content-security-policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'") in headers, headers
        assert "x-content-type-options: nosniff" in headers and "referrer-policy: no-referrer" in headers, headers
        passed("the console is served with a strict Content-Security-Policy")
        admin_checks(address, admin)
        member_checks(address, member)
    finally:
        server.terminate()
        server.wait(10)
    print(f"{len(PASSED)} console checks passed")


if __name__ == "__main__":
    main()
