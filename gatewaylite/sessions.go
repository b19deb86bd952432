package gatewaylite

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Session is a client's authenticated binding to the gateway: an account on one socket.
type Session struct {
	Account      string
	Sticky       bool
	Created      time.Time
	TokenExpires time.Time

	socket      atomic.Pointer[netip.AddrPort]
	lastTraffic atomic.Int64 // unix ns
}

// Socket is the client socket the session is bound to now.
func (s *Session) Socket() netip.AddrPort { return *s.socket.Load() }

// LastTraffic is when traffic last passed, either way, on the session.
func (s *Session) LastTraffic() time.Time { return time.Unix(0, s.lastTraffic.Load()) }

func (s *Session) touch(now time.Time) { s.lastTraffic.Store(now.UnixNano()) }

// SessionState is where a session is in its idle life.
type SessionState string

// The states of a live session.
const (
	SessionActive SessionState = "active"
	// SessionGrace: idle past the maximum; any traffic revives it, else it closes.
	SessionGrace SessionState = "grace"
)

// ErrSessionLimit is returned when an account already holds its maximum of sessions.
var ErrSessionLimit = errors.New("session limit reached")

// SessionTable holds the live sessions, keyed by client socket. Lookup is the hot path of
// every proxied request and takes a read lock only.
type SessionTable struct {
	now     func() time.Time
	maxIdle time.Duration
	grace   time.Duration

	mu        sync.RWMutex
	bySocket  map[netip.AddrPort]*Session
	byAccount map[string]map[*Session]struct{}
	sticky    map[string]*Session
}

// NewSessionTable returns an empty table; sessions idle for maxIdle enter a grace period of
// grace, after which they are closed.
func NewSessionTable(now func() time.Time, maxIdle, grace time.Duration) *SessionTable {
	return &SessionTable{
		now: now, maxIdle: maxIdle, grace: grace,
		bySocket:  make(map[netip.AddrPort]*Session),
		byAccount: make(map[string]map[*Session]struct{}),
		sticky:    make(map[string]*Session),
	}
}

// LoginOutcome says what a login did.
type LoginOutcome struct {
	Session *Session
	// Replaced is the session this socket held before (re-login), if any.
	Replaced *Session
	// MovedFrom is the socket a sticky session was moved away from, if any.
	MovedFrom netip.AddrPort
}

// Login binds a session of account to socket. A socket that already has a session gets a new
// one in its place (same count). A sticky login moves the account's sticky session, if it has
// one, to socket. Otherwise the account must be under limit, or ErrSessionLimit is returned
// and the existing sessions keep working.
func (t *SessionTable) Login(socket netip.AddrPort, account string, limit int, sticky bool, tokenExpires time.Time) (LoginOutcome, error) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var out LoginOutcome
	if old, ok := t.bySocket[socket]; ok {
		t.removeLocked(old)
		out.Replaced = old
	}
	if sticky {
		if s, ok := t.sticky[account]; ok {
			out.MovedFrom = s.Socket()
			delete(t.bySocket, out.MovedFrom)
			s.socket.Store(&socket)
			s.TokenExpires = tokenExpires
			s.touch(now)
			t.bySocket[socket] = s
			out.Session = s
			return out, nil
		}
	}
	if n := len(t.byAccount[account]); n >= limit {
		if out.Replaced != nil {
			t.addLocked(out.Replaced) // a refused re-login leaves the old session in place
			out.Replaced = nil
		}
		return LoginOutcome{}, fmt.Errorf("%w: account %q already has %d sessions", ErrSessionLimit, account, n)
	}
	s := &Session{Account: account, Sticky: sticky, Created: now, TokenExpires: tokenExpires}
	s.socket.Store(&socket)
	s.touch(now)
	t.addLocked(s)
	out.Session = s
	return out, nil
}

func (t *SessionTable) addLocked(s *Session) {
	t.bySocket[s.Socket()] = s
	set := t.byAccount[s.Account]
	if set == nil {
		set = make(map[*Session]struct{})
		t.byAccount[s.Account] = set
	}
	set[s] = struct{}{}
	if s.Sticky {
		t.sticky[s.Account] = s
	}
}

func (t *SessionTable) removeLocked(s *Session) {
	if t.bySocket[s.Socket()] == s {
		delete(t.bySocket, s.Socket())
	}
	if set := t.byAccount[s.Account]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(t.byAccount, s.Account)
		}
	}
	if t.sticky[s.Account] == s {
		delete(t.sticky, s.Account)
	}
}

// Logout ends the session of socket and returns it (nil when there was none).
func (t *SessionTable) Logout(socket netip.AddrPort) *Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.bySocket[socket]
	if !ok {
		return nil
	}
	t.removeLocked(s)
	return s
}

// Lookup returns the live session of socket, or nil.
func (t *SessionTable) Lookup(socket netip.AddrPort) *Session {
	t.mu.RLock()
	s := t.bySocket[socket]
	t.mu.RUnlock()
	return s
}

// Touch records traffic on the session of socket, if there is one.
func (t *SessionTable) Touch(socket netip.AddrPort) {
	if s := t.Lookup(socket); s != nil {
		s.touch(t.now())
	}
}

// Expire closes the sessions idle past the maximum and the grace period, and returns them.
func (t *SessionTable) Expire() []*Session {
	deadline := t.now().Add(-t.maxIdle - t.grace).UnixNano()
	t.mu.Lock()
	defer t.mu.Unlock()
	var expired []*Session
	for _, s := range t.bySocket {
		if s.lastTraffic.Load() < deadline {
			expired = append(expired, s)
		}
	}
	for _, s := range expired {
		t.removeLocked(s)
	}
	return expired
}

// State returns where s is in its idle life.
func (t *SessionTable) State(s *Session) SessionState {
	if t.now().Sub(s.LastTraffic()) > t.maxIdle {
		return SessionGrace
	}
	return SessionActive
}

// SessionInfo describes a live session for a console.
type SessionInfo struct {
	Account      string
	Socket       netip.AddrPort
	Sticky       bool
	Created      time.Time
	LastTraffic  time.Time
	Idle         time.Duration
	State        SessionState
	TokenExpires time.Time
}

// List describes every live session, by account then socket.
func (t *SessionTable) List() []SessionInfo {
	now := t.now()
	t.mu.RLock()
	out := make([]SessionInfo, 0, len(t.bySocket))
	for _, s := range t.bySocket {
		out = append(out, SessionInfo{
			Account: s.Account, Socket: s.Socket(), Sticky: s.Sticky, Created: s.Created,
			LastTraffic: s.LastTraffic(), Idle: now.Sub(s.LastTraffic()), State: t.State(s), TokenExpires: s.TokenExpires,
		})
	}
	t.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Socket.String() < out[j].Socket.String()
	})
	return out
}

// Count returns the number of live sessions.
func (t *SessionTable) Count() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.bySocket)
}
