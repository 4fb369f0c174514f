package io.wxgate.wechat;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.dataformat.xml.XmlFactory;
import tools.jackson.dataformat.xml.XmlMapper;

/**
 * WeChat Pay's flat {@code <xml><field>value</field>...</xml>} documents to and from an ordered map.
 * Reading refuses DOCTYPEs, entity declarations and nested elements before and while parsing,
 * so XXE and entity-expansion payloads never reach the parser's DTD machinery.
 */
public final class PayXml {

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() { };

    // resolved once: resolving on first use takes a lock the first burst of requests would wait on
    private final ObjectReader reader;
    private final ObjectWriter writer;

    public PayXml() {
        XMLInputFactory input = XMLInputFactory.newFactory();
        input.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        input.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        input.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        XmlMapper mapper = XmlMapper.builder(XmlFactory.builder().xmlInputFactory(input).build()).build();
        this.reader = mapper.readerFor(MAP);
        this.writer = mapper.writerFor(FIELDS).withRootName("xml");
    }

    public String write(Map<String, String> fields) {
        return writer.writeValueAsString(fields);
    }

    /** Parses a WeChat Pay document; every failure is a {@link MalformedPayXml} with a reason safe to show. */
    public Map<String, String> read(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new MalformedPayXml("empty XML body");
        }
        rejectDeclarations(xml);
        LinkedHashMap<String, Object> raw;
        try {
            raw = reader.readValue(xml);
        } catch (JacksonException e) {
            throw new MalformedPayXml("XML is not well-formed");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                fields.put(e.getKey(), "");
            } else if (v instanceof String s) {
                fields.put(e.getKey(), s);
            } else {
                throw new MalformedPayXml("field <" + e.getKey() + "> is not a plain value");
            }
        }
        return fields;
    }

    private static void rejectDeclarations(String xml) {
        int i = xml.indexOf("<!");
        while (i >= 0) {
            if (!xml.startsWith("<![CDATA[", i) && !xml.startsWith("<!--", i)) {
                throw new MalformedPayXml("DOCTYPE and entity declarations are not accepted");
            }
            i = xml.indexOf("<!", i + 2);
        }
    }

    /** A document that is not a flat, declaration-free WeChat Pay XML. */
    public static final class MalformedPayXml extends RuntimeException {
        public MalformedPayXml(String reason) {
            super(reason);
        }
    }
}
