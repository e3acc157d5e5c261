//go:build !linux

package main

import (
	"errors"
	"time"
)

const defaultEngine = "go"

func runEpoll(*options, time.Time, []*worker, []*gen) error {
	return errors.New("-engine epoll needs Linux")
}
