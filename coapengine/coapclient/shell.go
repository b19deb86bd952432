package coapclient

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// maxLineLength bounds a pasted line.
const maxLineLength = 64 << 10

// shellCommand is one simple command of a pasted text, such as one side of "a | b && c".
type shellCommand struct {
	call *syntax.CallExpr
	// feedsPipe: the command's output is piped into the next one (echo -n "$TOKEN" | …).
	feedsPipe bool
	// redirected: the command's input or output is redirected (> file, 2>&1).
	redirected bool
}

// shellCommands reads a pasted text as a POSIX shell would, into its simple commands in the
// order they run: lines, ";", "&&", "||" and "|" separate them. It runs and expands nothing.
// Declarations (export TOKEN=…) and bare assignments are left out; other shell syntax (if,
// for, subshells, functions) is an error, since a coap-client line needs none of it.
func shellCommands(text string) ([]shellCommand, error) {
	if len(text) > maxLineLength {
		return nil, fmt.Errorf("the command line is %d bytes long; a coap-client line is at most %d", len(text), maxLineLength)
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(text), "")
	if err != nil {
		return nil, fmt.Errorf("cannot read the command line: %w", err)
	}
	var out []shellCommand
	var walk func(s *syntax.Stmt, feedsPipe bool) error
	walk = func(s *syntax.Stmt, feedsPipe bool) error {
		switch c := s.Cmd.(type) {
		case nil, *syntax.DeclClause:
			return nil
		case *syntax.CallExpr:
			if len(c.Args) > 0 {
				out = append(out, shellCommand{call: c, feedsPipe: feedsPipe, redirected: len(s.Redirs) > 0})
			}
			return nil
		case *syntax.BinaryCmd:
			pipe := c.Op == syntax.Pipe || c.Op == syntax.PipeAll
			if err := walk(c.X, pipe); err != nil {
				return err
			}
			return walk(c.Y, feedsPipe)
		default:
			return fmt.Errorf("the command line uses shell syntax the workbench does not read (only commands joined by new lines, ;, &&, || and |): paste the coap-client command alone")
		}
	}
	for _, s := range f.Stmts {
		if err := walk(s, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// program is the base name of the program the command runs, or the name as written when
// the shell would have to expand it.
func (c shellCommand) program() string {
	name, err := literalWord(c.call.Args[0])
	if err != nil {
		var b strings.Builder
		syntax.NewPrinter().Print(&b, c.call.Args[0])
		return b.String()
	}
	return path.Base(name)
}

// runsCoapClient tells whether the command runs coap-client or a build of it such as
// coap-client-notls.
func (c shellCommand) runsCoapClient() bool {
	return strings.HasPrefix(c.program(), "coap-client")
}

// words are the command's words after quote removal. A word that relies on the shell
// (variables, command substitution, arithmetic) is an error, and brace or glob patterns are
// taken literally, so that reading a line never reaches the workbench's own environment or
// files.
func (c shellCommand) words() ([]string, error) {
	words := make([]string, 0, len(c.call.Args))
	for _, w := range c.call.Args {
		lit, err := literalWord(w)
		if err != nil {
			return nil, err
		}
		words = append(words, lit)
	}
	return words, nil
}

// literalWord is w after quote removal, or an error saying what in w needs the shell.
func literalWord(w *syntax.Word) (string, error) {
	var problem string
	syntax.Walk(w, func(n syntax.Node) bool {
		if problem != "" {
			return false
		}
		switch n := n.(type) {
		case *syntax.ParamExp:
			name := "$"
			if n.Param != nil {
				name += n.Param.Value
			}
			problem = "uses the shell variable " + name + ": put its value in instead"
		case *syntax.CmdSubst, *syntax.ProcSubst:
			problem = "runs a command inside it: run that yourself and paste its output"
		case *syntax.ArithmExp:
			problem = "uses shell arithmetic: put the number in instead"
		case *syntax.ExtGlob:
			problem = "uses a shell pattern"
		}
		return true
	})
	if problem != "" {
		return "", fmt.Errorf("the command line %s", problem)
	}
	lit, err := expand.Literal(nil, w)
	if err != nil {
		return "", fmt.Errorf("cannot read the command line: %w", err)
	}
	return lit, nil
}
