package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"redline/daemon/internal/autostart"
	"redline/daemon/internal/config"
)

// serviceCommand is `redline service`: the daemon as a per-user service
// that starts at login.
var serviceCommand = command{
	"service", "install [--addr 127.0.0.1:7710] [--data DIR] [--allow-private] | uninstall | status",
	"start the daemon at login (a per-user service; no root needed)", runService,
}

func runService(ctx context.Context, e *env, args []string) error {
	sub, rest := splitAction(args, "addr", "data")
	if sub == "" && slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" }) {
		return serviceInstall(ctx, e, []string{"--help"}) // the usage, and install's flags
	}
	switch sub {
	case "":
		return fmt.Errorf("%w: name what to do: install, uninstall or status", errUsage)
	case "install":
		return serviceInstall(ctx, e, rest)
	case "uninstall":
		if err := parseNoArgs(newFlags(e, "service"), rest); err != nil {
			return err
		}
		return serviceUninstall(ctx, e)
	case "status":
		if err := parseNoArgs(newFlags(e, "service"), rest); err != nil {
			return err
		}
		return serviceStatus(ctx, e)
	}
	return fmt.Errorf("%w: unknown subcommand %q: want install, uninstall or status", errUsage, sub)
}

func serviceInstall(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "service")
	addr := fs.String("addr", "", "loopback address the service listens on (default "+config.DefaultAddr+", or REDLINE_ADDR)")
	data := dataFlag(fs)
	allowPrivate := fs.Bool("allow-private", false, "let the service's watcher fetch pages on this computer and on private networks (as serve --allow-private does)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	listen, err := config.ListenAddr(*addr)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	dir, err := config.DataDir(*data)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	exe, err := serviceBinary()
	if err != nil {
		return err
	}
	spec := autostart.Spec{Exe: exe, Addr: listen, DataDir: dir, AllowPrivate: *allowPrivate || envAllowPrivate()}
	if err := spec.Check(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	h, err := autostart.CurrentHost(runtime.GOOS)
	if err != nil {
		return err
	}
	did, err := autostart.Install(ctx, h, spec)
	for _, d := range did {
		fmt.Fprintln(e.stdout, d)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Redline runs at http://%s with data in %s.\nCheck it with `redline service status`; undo it with `redline service uninstall`.\n", listen, dir)
	return nil
}

// serviceBinary is the absolute path of this binary, which the service
// runs; a link to it is kept as a link, so that an upgrade that moves the
// link is followed. A binary `go run` built lives in a folder Go deletes
// afterwards, so it is refused.
func serviceBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this binary: %w", err)
	}
	if builtByGoRun(exe) {
		return "", fmt.Errorf("this binary is a temporary one (go run); build Redline (make build puts it at bin/redline) and run that binary's `service install`")
	}
	return exe, nil
}

// builtByGoRun reports whether exe is where `go run` puts the binary it
// builds: go-build…/b001/exe/NAME.
func builtByGoRun(exe string) bool {
	return filepath.Base(filepath.Dir(exe)) == "exe" && strings.Contains(exe, "go-build")
}

func serviceUninstall(ctx context.Context, e *env) error {
	h, err := autostart.CurrentHost(runtime.GOOS)
	if err != nil {
		return err
	}
	did, err := autostart.Uninstall(ctx, h)
	for _, d := range did {
		fmt.Fprintln(e.stdout, d)
	}
	return err
}

func serviceStatus(ctx context.Context, e *env) error {
	h, err := autostart.CurrentHost(runtime.GOOS)
	if err != nil {
		return err
	}
	st, err := autostart.StatusOf(ctx, h)
	if err != nil {
		return err
	}
	printServiceStatus(e.stdout, st)
	return nil
}

func printServiceStatus(w io.Writer, st autostart.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	if !st.Installed {
		fmt.Fprintf(tw, "service:\tnot installed (%s does not exist; `redline service install` writes it)\n", st.Path)
		return
	}
	fmt.Fprintf(tw, "service:\tinstalled (%s)\n", st.Path)
	if st.Enabled() {
		fmt.Fprintf(tw, "enabled:\tyes (starts when you log in)\n")
	} else {
		fmt.Fprintf(tw, "enabled:\tno\n")
	}
	m := st.Manager
	switch {
	case m.Known && m.Running && m.PID > 0:
		fmt.Fprintf(tw, "running:\tyes (pid %d)\n", m.PID)
	case m.Known && m.Running:
		fmt.Fprintf(tw, "running:\tyes\n")
	case m.Known && st.Answers:
		fmt.Fprintf(tw, "running:\tno (%s); a daemon started another way answers at %s\n", m.Note, st.Addr)
	case m.Known:
		fmt.Fprintf(tw, "running:\tno (%s)\n", m.Note)
	case st.Answers:
		fmt.Fprintf(tw, "running:\ta daemon answers at %s (%s)\n", st.Addr, m.Note)
	default:
		fmt.Fprintf(tw, "running:\tno (nothing answers at %s; %s)\n", st.Addr, m.Note)
	}
	fmt.Fprintf(tw, "address:\thttp://%s\n", st.Addr)
	fmt.Fprintf(tw, "log:\t%s\n", st.Log)
}
