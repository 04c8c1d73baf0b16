package io.corc.core.state;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.corc.api.CorcException;
import io.corc.api.StateRecord;
import java.io.IOException;

/**
 * The JSON form of a {@link StateRecord}: an object with {@code type}, {@code id}, {@code status}, {@code data} (a
 * JSON object) and ISO-8601 {@code createdAt}/{@code updatedAt}. Unknown fields are ignored so that an older corc
 * reads what a newer one wrote. Error messages never quote the content.
 */
final class RecordCodec {
    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    byte[] write(StateRecord record) {
        try {
            return mapper.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw CorcException.internal(
                    "could not serialise state record " + record.type() + "/" + record.id()
                            + ": data must hold JSON values only",
                    e);
        }
    }

    /** Parses {@code content}; throws {@link InvalidRecordException} with a content-free reason when it is not one. */
    StateRecord read(byte[] content) throws InvalidRecordException {
        try {
            StateRecord record = mapper.readValue(content, StateRecord.class);
            if (record == null) {
                throw new InvalidRecordException("not a JSON object");
            }
            return record;
        } catch (JsonParseException e) {
            throw new InvalidRecordException("not valid JSON" + where(e.getLocation()));
        } catch (IOException | RuntimeException e) {
            // mapping errors (missing or malformed fields) and value checks of StateRecord's constructor
            throw new InvalidRecordException(
                    "not a valid state record (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String where(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** A file's content is not a valid record; the message is safe to log. */
    static final class InvalidRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidRecordException(String reason) {
            super(reason, null, false, false);
        }
    }
}
