package main

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// known replaces every value the plan leaves unknown (the computed
// attributes) with a made-up known one, without knowing the schema: a
// string says "floor", an object fills each attribute, and a list or set
// gets as many elements as the largest collection configured at the top
// (instance_ids, so that the state is as large as the real provider's,
// whose instances list has one element per configured instance).
func known(plan tftypes.Value) (tftypes.Value, error) {
	size := 1
	var attrs map[string]tftypes.Value
	if plan.IsKnown() && !plan.IsNull() && plan.As(&attrs) == nil {
		for _, v := range attrs {
			var elems []tftypes.Value
			if v.IsKnown() && !v.IsNull() && v.As(&elems) == nil {
				size = max(size, len(elems))
			}
		}
	}
	return tftypes.Transform(plan, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		return made(v.Type(), size, 0)
	})
}

// made is a known value of typ; i tells the elements of a set apart.
func made(typ tftypes.Type, size, i int) (tftypes.Value, error) {
	switch {
	case typ.Is(tftypes.String):
		if i == 0 {
			return tftypes.NewValue(typ, "floor"), nil
		}
		return tftypes.NewValue(typ, fmt.Sprintf("floor-%d", i)), nil
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, big.NewFloat(float64(i))), nil
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, false), nil
	}
	switch t := typ.(type) {
	case tftypes.Object:
		vals := make(map[string]tftypes.Value, len(t.AttributeTypes))
		for name, at := range t.AttributeTypes {
			v, err := made(at, size, i)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals[name] = v
		}
		return tftypes.NewValue(t, vals), nil
	case tftypes.List:
		return collection(t, t.ElementType, size)
	case tftypes.Set:
		return collection(t, t.ElementType, size)
	case tftypes.Map:
		return tftypes.NewValue(t, map[string]tftypes.Value{}), nil
	}
	return tftypes.Value{}, fmt.Errorf("the floor provider cannot make up a value of type %s; teach made() about it", typ)
}

func collection(typ, elem tftypes.Type, size int) (tftypes.Value, error) {
	elems := make([]tftypes.Value, size)
	for i := range elems {
		v, err := made(elem, size, i)
		if err != nil {
			return tftypes.Value{}, err
		}
		elems[i] = v
	}
	return tftypes.NewValue(typ, elems), nil
}
