package io.corc.core.placement;

import io.corc.api.CorcException;
import io.corc.api.ErrorCategory;

/** A placement that started nothing; carries what was ranked and tried, so the CLI can show it. */
public final class PlacementException extends CorcException {
    private static final long serialVersionUID = 1L;

    private final transient Placement placement;

    PlacementException(ErrorCategory category, String message, String hint, Throwable cause, Placement placement) {
        super(category, message, "placement", "start", hint, cause);
        this.placement = placement;
    }

    public Placement placement() {
        return placement;
    }
}
