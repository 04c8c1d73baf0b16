/** The {@code ssh} scheduler: jobs on an SSH host, run by a detached driver; see docs/ssh-scheduler.md. */
package io.corc.scheduler.ssh;
