#!/bin/sh
# End-to-end tests of the replay reports: --format junit and html, -o FILE
# written whole or not at all, hostile scenario text, and (when chromium is
# installed) a headless screenshot of the HTML report.
#
# Run from the repository root with PLAYBOOK set to the binary under test:
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/reports.sh
set -u

NAME="e2e reports"
. tests/e2e/lib/common.sh
P=principles

# Python check over an XML file; the script raises on failure.  r is the
# root element, x the file's text.
xml_ok() { # FILE WHAT PYTHON
    if python3 -c "import sys, xml.etree.ElementTree as ET
x = open(sys.argv[1], encoding='utf-8').read()
r = ET.fromstring(x)
$3" "$1" >"$T/py" 2>&1; then ok; else
        fail "$2: $(tail -n 1 "$T/py")"; fi
}

nscen=$(ls scenarios/*.xml | wc -l | tr -d ' ')

# --- JUnit of every bundled scenario ----------------------------------
run "$PB" replay -p "$P" --format junit scenarios
expect_rc 0 "junit of scenarios/"
cp "$T/out" "$T/all.junit.xml"
xml_ok "$T/all.junit.xml" "junit shape" "
assert r.tag == 'testsuites', r.tag
suites = r.findall('testsuite')
assert len(suites) == 1, len(suites)
s = suites[0]
assert s.get('name') == 'playbook'
assert s.get('tests') == '$nscen', s.get('tests')
assert s.get('failures') == '0' and s.get('errors') == '0'
float(s.get('time'))
cases = s.findall('testcase')
assert len(cases) == $nscen, len(cases)
for c in cases:
    assert c.get('classname') == 'playbook.scenario'
    assert ': ' in c.get('name'), c.get('name')
    assert c.get('file').startswith('scenarios/'), c.get('file')
    float(c.get('time'))
    assert c.find('failure') is None
    assert c.find('error') is None
    assert 'Score: ' in c.find('system-out').text
"
has "$T/all.junit.xml" \
    'name="late-delivery: Late parcel, angry gold customer"' \
    "junit testcase name is 'id: title'"

# --- JUnit of a failing scenario --------------------------------------
cat >"$T/unmet.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="unmet" title="Unmet">
  <events>
    <event t="0" type="customer.said">It broke.</event>
    <event t="10" type="agent.proposed">Try turning it off and on.</event>
  </events>
  <expect>
    <item ref="listen.hear_out" state="done"/>
    <item ref="listen.restate" state="done"/>
    <item ref="own.commit" state="done"/>
    <score min="0.9" max="1"/>
  </expect>
</scenario>
EOF
run "$PB" replay -p "$P" --format junit scenarios/late-delivery.xml \
    "$T/unmet.xml"
expect_rc 1 "junit with an unmet expectation exits 1"
cp "$T/out" "$T/unmet.junit.xml"
xml_ok "$T/unmet.junit.xml" "junit failure" "
s = r.find('testsuite')
assert s.get('tests') == '2' and s.get('failures') == '1', s.attrib
ok, bad = s.findall('testcase')
assert ok.find('failure') is None
fs = bad.findall('failure')
assert len(fs) == 1, len(fs)
m = fs[0].get('message')
assert m.startswith('3 of 4 expectations not met: '), m
assert 'listen.restate is done (got violated)' in m, m
assert 'own.commit is done (got ' in m, m
assert 'score between 0.90 and 1.00 (got ' in m, m
assert 'hear_out' not in m, m
lines = fs[0].text.strip().split('\n')
assert len(lines) == 3, lines
assert lines[0].endswith('unmet.xml:8: expected listen.restate is done, '
                         'got violated'), lines[0]
"

# --- HTML of every bundled scenario -----------------------------------
run "$PB" replay -p "$P" --format html -o "$T/all.html" scenarios
expect_rc 0 "html of scenarios/ to -o FILE"
if [ -s "$T/out" ]; then fail "html -o FILE wrote to stdout"; else ok; fi
xml_ok "$T/all.html" "html report" "
H = '{http://www.w3.org/1999/xhtml}'
S = '{http://www.w3.org/2000/svg}'
assert x.startswith('<!DOCTYPE html>'), x[:40]
assert r.tag == H + 'html', r.tag
assert len(r.findall('.//' + H + 'style')) == 1
for bad in ('script', 'link', 'img', 'iframe', 'object', 'embed'):
    assert not r.findall('.//' + H + bad), bad
for e in r.iter():
    for a in ('src', 'href'):
        v = e.get(a)
        assert v is None or v.startswith('#'), (e.tag, a, v)
cards = [s for s in r.iter(H + 'section') if s.get('class') == 'card']
assert len(cards) == $nscen, len(cards)
for c in cards:
    svgs = [s for s in c.iter(S + 'svg') if s.get('class') == 'tl']
    assert len(svgs) == 1
    marks = [m for m in svgs[0].iter() if m.get('class') in
             ('tl-rec', 'tl-det', 'tl-done', 'tl-violated', 'tl-error')]
    assert marks and all(m.find(S + 'title') is not None for m in marks)
"
grep -o 'http[s]*://[^"]*' "$T/all.html" | sort -u >"$T/urls"
if grep -qv -e '^http://www.w3.org/1999/xhtml$' \
        -e '^http://www.w3.org/2000/svg$' "$T/urls"; then
    fail "html refers to $(grep -v -e xhtml -e svg "$T/urls" | head -n 1)"
else ok; fi
# The email case spans days: its idle stretches are cut out of the axis.
has "$T/all.html" 'class="tl-gap"' "multi-day timeline has a cut-out stretch"
# the timeline: item marks named in the picture (a printout keeps
# them), the musts missed at the end drawn, and h:mm:ss past the hour
# as the checklist writes it
run "$PB" replay -p "$P" --format html -o "$T/email.html" scenarios/missing-parcel-email.xml
expect_rc 0 "html of the email thread"
has "$T/email.html" '<text class="tl-mark" x="145.8" y="150.0" text-anchor="start">hear_out</text>' "a done item's mark named"
if [ "$(grep -o '<rect class="tl-missed"' "$T/email.html" | wc -l)" = 3 ]; then ok; else
    fail "the two missed musts (and the legend's) not drawn"; fi
has "$T/email.html" '>real_problem</text>' "a missed must named"
has "$T/email.html" 'text-anchor="middle">3:10:00</text>' "a tick past the hour as h:mm:ss"
lacks "$T/email.html" 'text-anchor="middle">3:10</text>' "no h:mm tick"
has "$T/email.html" '>h:mm:ss</text>' "the axis says its format"

# expectations met is not a good call: drawn plain, never as a green
# "passed" beside a red score; not met is red
has "$T/all.html" '<span class="badge">expectations met</span>' "met, drawn plain"
lacks "$T/all.html" '>passed<' "no 'passed' badge"
has "$T/all.html" "14 met their expectations, 0 did not" "the overview's count"
cp scenarios/late-delivery.xml "$T/unmet.xml"
sed -i 's/state="done"/state="violated"/' "$T/unmet.xml"
run "$PB" replay -p "$P" --format html -o "$T/unmet.html" "$T/unmet.xml"
expect_rc 1 "html of a call whose expectations are not met"
has "$T/unmet.html" '<span class="badge fail">expectations not met</span>' "not met, in red"
if ls "$T" | grep -q '\.tmp\.'; then
    fail "temporary file left next to the report"
else ok; fi

# --- hostile text ------------------------------------------------------
cat >"$T/hostile.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="hostile"
          title="&lt;script&gt;alert(1)&lt;/script&gt;">
  <description>"&gt;&lt;img src=x onerror=alert(1)&gt; and ]]&gt;</description>
  <case topic="delivery" channel="chat">
    <fact name="order_id">&lt;script&gt;alert(1)&lt;/script&gt;</fact>
  </case>
  <events>
    <event t="0" type="customer.said">&lt;script&gt;alert(1)&lt;/script&gt;</event>
    <event t="5" type="customer.said">"&gt;&lt;img src=x onerror=alert(1)&gt;</event>
    <event t="9" type="customer.said">]]&gt; and &amp;amp; and &lt;/svg&gt;</event>
    <event t="12" type="agent.said"><![CDATA[So what I'm hearing is <script>x</script>]]></event>
  </events>
  <expect><item ref="listen.hear_out" state="open"/></expect>
</scenario>
EOF
for fmt in html junit; do
    run "$PB" replay -p "$P" --format "$fmt" "$T/hostile.xml"
    expect_rc 1 "$fmt of the hostile scenario (one unmet expectation)"
    cp "$T/out" "$T/hostile.$fmt"
    if grep -qi -e '<script' -e '<img' -e '</svg>]' "$T/hostile.$fmt"; then
        fail "$fmt: raw markup from the scenario"
    else ok; fi
    has "$T/hostile.$fmt" "&lt;script&gt;alert(1)&lt;/script&gt;" \
        "$fmt shows the utterance as text"
    xml_ok "$T/hostile.$fmt" "$fmt of the hostile scenario parses" "
seen = ''.join(r.itertext()) + ''.join(v for e in r.iter()
                                        for v in e.attrib.values())
assert '<script>alert(1)</script>' in seen
"
done
has "$T/hostile.html" "&amp;amp;" "html keeps a typed '&amp;' as text"
has "$T/hostile.html" "]]&gt;" "html keeps ']]>' as text"

# --- -o FILE: whole or nothing ----------------------------------------
run "$PB" replay -p "$P" --format html -o "$T/no/such/dir/r.html" scenarios
expect_rc 2 "-o into a folder that does not exist"
if [ -e "$T/no" ]; then fail "-o created something"; else ok; fi
: >"$T/plain"
run "$PB" replay -p "$P" --format junit -o "$T/plain/r.xml" scenarios
expect_rc 2 "-o under a plain file"
has "$T/err" "$T/plain/r.xml" "the error names the output file"
run "$PB" replay -p "$P" --format html -o /proc/pb-report.html scenarios
expect_rc 2 "-o into /proc"
if [ "$(id -u)" != 0 ]; then
    mkdir "$T/ro" && chmod 555 "$T/ro"
    run "$PB" replay -p "$P" --format html -o "$T/ro/r.html" scenarios
    expect_rc 2 "-o into a read-only folder"
    if [ -n "$(ls -A "$T/ro")" ]; then fail "files left in $T/ro"; else ok; fi
    chmod 755 "$T/ro"
fi
run "$PB" replay -p "$P" --format xml scenarios
expect_rc 2 "--format xml is refused"
has "$T/err" "junit" "the refusal lists the formats"
run "$PB" replay --help
has "$T/out" "junit" "--help names junit"
has "$T/out" "html" "--help names html"

# --- a screenshot, where chromium exists ------------------------------
screenshot "$T/all.html" report 1280x2000

summary
