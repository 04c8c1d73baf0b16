/**
 * corc's SSH layer on Apache MINA SSHD: key pairs in {@code ~/.corc/ssh}, known hosts pinned per resource,
 * sessions that run commands and move files, and port forwards. The SSH-based configurers and schedulers use it;
 * no MINA type appears in its public signatures.
 */
package io.corc.ssh;
