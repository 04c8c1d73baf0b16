package io.corc.scheduler.slurm;

import io.corc.api.StateRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What corc keeps in its state store for a Slurm job ({@code slurm-job/<corc job id>}): enough for every later
 * call, and for {@link SlurmScheduler#remove} to clean up after a submission that died half-way. Written before
 * the job directory is created, completed with the Slurm job id once sbatch answered.
 *
 * @param slurmJobId the array's job id, or {@code null} until sbatch accepted the job
 * @param jobDir the job's directory on the Slurm host
 * @param where the Slurm host, as {@link SlurmHost#describe()} says it
 * @param cancelled whether corc cancelled the job
 */
record SlurmJobRecord(
        String jobId,
        String name,
        int numJobs,
        boolean capture,
        String slurmJobId,
        String jobDir,
        String where,
        boolean cancelled,
        Instant submittedAt) {

    static final String TYPE = "slurm-job";

    JobLayout layout() {
        return new JobLayout(jobDir);
    }

    StateRecord toState(String status) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", name);
        data.put("num_jobs", numJobs);
        data.put("capture", capture);
        if (slurmJobId != null) {
            data.put("slurm_job_id", slurmJobId);
        }
        data.put("job_dir", jobDir);
        data.put("where", where);
        data.put("cancelled", cancelled);
        return StateRecord.create(TYPE, jobId, status, data);
    }

    static SlurmJobRecord from(StateRecord record) {
        Object numJobs = record.data().get("num_jobs");
        return new SlurmJobRecord(
                record.id(),
                record.string("name") == null ? record.id() : record.string("name"),
                numJobs instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(numJobs)),
                !"false".equals(record.string("capture")),
                record.string("slurm_job_id"),
                record.string("job_dir"),
                record.string("where"),
                "true".equals(record.string("cancelled")),
                record.createdAt());
    }
}
