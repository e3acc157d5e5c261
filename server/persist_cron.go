package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// snapshot-cron: background saves on a crontab schedule (five fields,
// minute granularity, as robfig/cron's standard parser reads them; its
// descriptors such as @hourly and @every 30m too). It can change at run
// time (CONFIG SET). A run that comes while a save is still going is
// skipped and counted (INFO anax: snapshot_cron_skipped), never queued:
// runs never overlap.

// parseCron parses a snapshot-cron value; empty means no schedule.
func parseCron(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("snapshot-cron %q: %v", spec, err)
	}
	return sched, nil
}

// cronConfig reads snapshot-cron and follows its changes; a value that is
// no schedule fails the start, and CONFIG SET refuses one.
func (s *Server) cronConfig() error {
	p := &s.persist
	p.cronWake = make(chan struct{}, 1)
	sched, err := parseCron(s.cfg.String("snapshot-cron"))
	if err != nil {
		return err
	}
	p.cronSched = sched
	s.cfg.Validate("snapshot-cron", func(v string) error {
		_, err := parseCron(v)
		return err
	})
	s.cfg.OnChange("snapshot-cron", func(v string) {
		sched, err := parseCron(v)
		if err != nil {
			return // refused by the validator
		}
		p.cronMu.Lock()
		p.cronSched = sched
		p.cronMu.Unlock()
		select {
		case p.cronWake <- struct{}{}:
		default:
		}
	})
	return nil
}

// snapshotCron waits for each run of the schedule and starts a background
// save, unless one is running (then the run is skipped) or the server is
// loading.
func (s *Server) snapshotCron() {
	p := &s.persist
	for {
		p.cronMu.Lock()
		sched := p.cronSched
		p.cronMu.Unlock()
		var fire <-chan time.Time
		var t *time.Timer
		if sched != nil {
			t = time.NewTimer(time.Until(sched.Next(time.Now())))
			fire = t.C
		}
		fired := false
		select {
		case <-s.shutdown:
		case <-p.cronWake:
		case <-fire:
			fired = true
		}
		if t != nil {
			t.Stop()
		}
		if !fired {
			select {
			case <-s.shutdown:
				return
			default:
				continue
			}
		}
		if p.loading.Load() || p.refuse.Load()&refuseShutdown != 0 {
			continue
		}
		if !s.bgsave() {
			p.cronSkipped.Add(1)
			s.log.Warnf("snapshot-cron: a save is still running, this run is skipped")
			continue
		}
		p.cronSaves.Add(1)
	}
}
