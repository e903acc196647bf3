package autostart

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"
)

// logonTask is a task of the Windows Task Scheduler that starts the daemon
// when the user logs on, as that user and without raised rights. Its
// definition is kept as a file the Task Scheduler imports (schtasks /XML).
type logonTask struct {
	h   Host
	run func(ctx context.Context, name string, args ...string) (string, error)
}

// TaskName is the task's name in the Task Scheduler.
const TaskName = "Redline"

func (t *logonTask) path() string {
	return filepath.Join(t.h.ConfigDir, "Redline", "redline-task.xml")
}

// logFile is where the daemon writes its log: the task has no console
// whose output anyone would see.
func logFileIn(dataDir string) string {
	return strings.TrimRight(dataDir, `\/`) + `\redline.log`
}

// The daemon makes its data folder and log itself.
func (t *logonTask) prepare(Spec) error { return nil }

func (t *logonTask) render(s Spec) ([]byte, error) {
	if t.h.User == "" {
		return nil, fmt.Errorf("the logon task needs the user's name (USERNAME is not set)")
	}
	for _, p := range []string{s.Exe, s.DataDir} {
		// The Task Scheduler expands %NAME% in a command line, with no way
		// to write a literal %.
		if strings.Contains(p, "%") {
			return nil, fmt.Errorf("path %q: a logon task cannot hold %% in a path", p)
		}
	}
	words := s.args()
	words = append(words, "--log", logFileIn(s.DataDir))
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = windowsQuote(w)
	}
	esc := func(v string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(v))
		return b.String()
	}
	text := `<?xml version="1.0" encoding="UTF-16"?>
<!-- Written by redline service install; redline service uninstall removes it. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Redline daemon: keeps every version of the articles you read</Description>
    <URI>\` + TaskName + `</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>` + esc(t.h.User) + `</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>` + esc(t.h.User) + `</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>` + esc(s.Exe) + `</Command>
      <Arguments>` + esc(strings.Join(quoted, " ")) + `</Arguments>
    </Exec>
  </Actions>
</Task>
`
	return encodeUTF16(strings.ReplaceAll(text, "\n", "\r\n")), nil
}

// encodeUTF16 is text as UTF-16 with a byte order mark, which is what the
// Task Scheduler reads without question.
func encodeUTF16(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0], b[1] = 0xFF, 0xFE
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// decodeText returns a service file's text: UTF-16 with a byte order mark
// decoded, anything else as it is.
func decodeText(b []byte) []byte {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE {
		return b
	}
	units := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		units = append(units, binary.LittleEndian.Uint16(b[i:]))
	}
	return []byte(string(utf16.Decode(units)))
}

// windowsQuote writes one argument the way Windows programs split their
// command line: in double quotes when it holds a space, a tab or a quote,
// with backslashes doubled where they come before a quote.
func windowsQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			slashes++
			continue
		}
		if c == '"' {
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		} else {
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		b.WriteByte(c)
		slashes = 0
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

func (t *logonTask) schtasks(ctx context.Context, args ...string) (string, error) {
	return t.run(ctx, "schtasks", args...)
}

func (t *logonTask) activate(ctx context.Context) ([]string, error) {
	var did []string
	// A running task keeps its old arguments; end it first.
	if _, err := t.schtasks(ctx, "/Query", "/TN", TaskName); err == nil {
		if _, err := t.schtasks(ctx, "/End", "/TN", TaskName); err == nil {
			did = append(did, "ended the running task "+TaskName)
		}
	}
	if _, err := t.schtasks(ctx, "/Create", "/TN", TaskName, "/XML", t.path(), "/F"); err != nil {
		return did, fmt.Errorf("register the logon task: %w (run `schtasks /Create /TN %s /XML \"%s\" /F`)", err, TaskName, t.path())
	}
	did = append(did, "registered the logon task "+TaskName+" (starts when you log on)")
	if _, err := t.schtasks(ctx, "/Run", "/TN", TaskName); err != nil {
		return did, fmt.Errorf("start the logon task: %w (run `schtasks /Run /TN %s`)", err, TaskName)
	}
	return append(did, "started "+TaskName), nil
}

func (t *logonTask) deactivate(ctx context.Context) []string {
	if _, err := t.schtasks(ctx, "/Query", "/TN", TaskName); err != nil {
		return nil
	}
	var did []string
	if _, err := t.schtasks(ctx, "/End", "/TN", TaskName); err == nil {
		did = append(did, "ended "+TaskName)
	}
	if _, err := t.schtasks(ctx, "/Delete", "/TN", TaskName, "/F"); err != nil {
		return append(did, "could not delete the logon task "+TaskName+": "+err.Error())
	}
	return append(did, "deleted the logon task "+TaskName)
}

func (t *logonTask) forget(context.Context) {}

// taskEnabled finds the task's own Enabled setting (not its trigger's).
var taskEnabled = regexp.MustCompile(`(?s)<Settings>.*?<Enabled>(\w+)</Enabled>`)

func (t *logonTask) state(ctx context.Context) ManagerState {
	out, err := t.schtasks(ctx, "/Query", "/TN", TaskName, "/XML")
	if err != nil {
		return ManagerState{Note: "the Task Scheduler does not know the task: " + oneLine(err.Error())}
	}
	st := ManagerState{Enabled: true, Note: "the Task Scheduler does not say which process it started"}
	if m := taskEnabled.FindStringSubmatch(out); m != nil {
		st.Enabled = m[1] == "true"
	}
	return st
}

var (
	argumentsElem = regexp.MustCompile(`(?s)<Arguments>(.*?)</Arguments>`)
	logArg        = regexp.MustCompile(`--log ("[^"]*"|\S+)`)
)

func (t *logonTask) logWhere(content []byte) string {
	m := argumentsElem.FindSubmatch(decodeText(content))
	if m == nil {
		return ""
	}
	if l := logArg.FindStringSubmatch(xmlText(string(m[1]))); l != nil {
		return strings.Trim(l[1], `"`)
	}
	return ""
}

// xmlText undoes the escaping of XML text.
func xmlText(s string) string {
	var v strings.Builder
	d := xml.NewDecoder(strings.NewReader("<s>" + s + "</s>"))
	for {
		tok, err := d.Token()
		if err != nil {
			return v.String()
		}
		if c, ok := tok.(xml.CharData); ok {
			v.Write(c)
		}
	}
}
