package server

import "github.com/anaxdb/anax/config"

// warnNoEffect says loudly which settings Anax accepts without acting on
// them: one warning line at start-up naming those the configuration gave
// (config.StartupWarning), and one each time CONFIG SET changes one.
func (s *Server) warnNoEffect() {
	if w := s.cfg.StartupWarning(); w != "" {
		s.log.Warn(w)
	}
	for _, name := range config.NoEffectParams() {
		why := config.NoEffect(name)
		s.cfg.OnChange(name, func(v string) {
			s.log.Warnf("WARNING %s set to %q has no effect: %s", name, v, why)
		})
	}
}
