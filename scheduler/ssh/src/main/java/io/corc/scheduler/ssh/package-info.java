/** io.corc.scheduler.ssh. */
package io.corc.scheduler.ssh;
