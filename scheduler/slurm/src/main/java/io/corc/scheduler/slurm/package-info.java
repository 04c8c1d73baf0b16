/** io.corc.scheduler.slurm. */
package io.corc.scheduler.slurm;
