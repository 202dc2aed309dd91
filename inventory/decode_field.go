package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // the decoder Istio's specs use
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// specFieldError names the field of an Istio object's spec that its decode
// error comes from ("spec.servers[0].port.number: …"): Istio's JSON
// decoder reports only what it read, not where. Each field is decoded
// alone with the same decoder, down to the one failing with the same
// error; when none does, err is returned as it was.
func specFieldError(err error, js []byte, spec any) error {
	m, ok := spec.(proto.Message)
	if !ok {
		return err
	}
	var obj struct {
		Spec json.RawMessage `json:"spec"`
	}
	if json.Unmarshal(js, &obj) != nil || len(obj.Spec) == 0 {
		return err
	}
	if path := failingField(m.ProtoReflect(), obj.Spec, sameError(err)); path != "" {
		return fmt.Errorf("spec.%s: %w", path, err)
	}
	return err
}

// fieldJSON is the decoder Istio's specs use (istio.io/api *_json.gen.go).
var fieldJSON = &jsonpb.Unmarshaler{AllowUnknownFields: true}

// decodeAlone decodes raw into m, its error as sameError words it.
func decodeAlone(raw []byte, m protoreflect.Message) string {
	if err := fieldJSON.Unmarshal(bytes.NewReader(raw), protoadapt.MessageV1Of(m.Interface())); err != nil {
		return sameError(err)
	}
	return ""
}

// goField is where encoding/json names the struct field it decoded into,
// which differs between the whole object and a field decoded alone.
var goField = regexp.MustCompile(`Go struct field \S+ of type`)

func sameError(err error) string { return goField.ReplaceAllString(err.Error(), "Go value of type") }

// failingField is the path, below msg, of the field of raw whose decoding
// alone fails with want, the whole object's error; "" when none does (a
// field is named only when it is the one the error came from).
func failingField(msg protoreflect.Message, raw json.RawMessage, want string) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fields := msg.Descriptor().Fields()
	for _, k := range keys {
		fd := fields.ByJSONName(k)
		if fd == nil {
			fd = fields.ByName(protoreflect.Name(k))
		}
		if fd == nil {
			continue
		}
		one, _ := json.Marshal(map[string]json.RawMessage{k: obj[k]})
		if decodeAlone(one, msg.New()) != want {
			continue
		}
		switch {
		case fd.IsList() && fd.Message() != nil:
			var items []json.RawMessage
			if json.Unmarshal(obj[k], &items) != nil {
				return k
			}
			for i, it := range items {
				el := msg.New().NewField(fd).List().NewElement().Message()
				if decodeAlone(it, el) == want {
					at := k + "[" + strconv.Itoa(i) + "]"
					if sub := failingField(el, it, want); sub != "" {
						return at + "." + sub
					}
					return at
				}
			}
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			if sub := failingField(msg.New().NewField(fd).Message(), obj[k], want); sub != "" {
				return k + "." + sub
			}
		}
		return k
	}
	return ""
}
