// Writes "publicized" copies of .NET assemblies: every type and member that is visible somewhere outside
// its own declaration (internal, protected internal, private protected) becomes visible to other assemblies.
// MLDeepExtensions compiles against these copies to reach ML.NET internals; at run time the real assemblies
// are loaded and IgnoresAccessChecksToAttribute makes the runtime accept the access.
//
// Usage: MLDeepExtensions.Publicizer [--search <folder>]... <input.dll>... <output-folder>
//   Each copy keeps its input's file name. --search names a folder holding the inputs' dependencies (Cecil
//   resolves e.g. the enum types of default parameter values to rewrite an assembly); the inputs' own
//   folders are always searched.
//
// Rules (chosen so that code written against a copy still means the same thing against the original):
//   internal, protected internal   -> public
//   private protected              -> protected (still only reachable from derived classes)
//   private, protected, public     -> unchanged (publicizing private members causes name clashes)
//   compiler-generated types       -> unchanged (e.g. each assembly's embedded NullableAttribute)
// The strong-name "signed" flag is cleared because the copy's signature is no longer valid; the public key
// stays, so an assembly compiled against the copy binds to the real, signed one.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mono.Cecil;

namespace MLDeepExtensions.Publicizer;

internal static class Program
{
    private const string CompilerGenerated = "System.Runtime.CompilerServices.CompilerGeneratedAttribute";

    private static int Main(string[] args)
    {
        // Every argument that follows "--search" is a search folder; the others are inputs and the output.
        List<string> searchFolders = args.Where((_, i) => i > 0 && args[i - 1] == "--search").ToList();
        List<string> paths = args.Where((arg, i) => arg != "--search" && (i == 0 || args[i - 1] != "--search")).ToList();

        if (paths.Count < 2)
        {
            Console.Error.WriteLine("Usage: MLDeepExtensions.Publicizer [--search <folder>]... <input.dll>... <output-folder>");
            return 1;
        }

        string outputFolder = paths[^1];
        List<string> inputs = paths.GetRange(0, paths.Count - 1);
        using var resolver = new DefaultAssemblyResolver();
        foreach (string folder in inputs.Select(i => Path.GetDirectoryName(Path.GetFullPath(i))!).Concat(searchFolders).Distinct())
        {
            resolver.AddSearchDirectory(folder);
        }

        Directory.CreateDirectory(outputFolder);
        foreach (string input in inputs)
        {
            try
            {
                Publicize(input, outputFolder, resolver);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException
                                           or AssemblyResolutionException)
            {
                // MSBuild's Exec task recognises the "error CODE:" format and reports it as a build error.
                Console.Error.WriteLine($"{input}: error MLDXPUB01: cannot publicize assembly: {ex.Message}");
                return 2;
            }
        }

        return 0;
    }

    private static void Publicize(string input, string outputFolder, IAssemblyResolver resolver)
    {
        string output = Path.Combine(outputFolder, Path.GetFileName(input));
        string temporary = output + ".tmp";
        int changed = 0;
        using (var module = ModuleDefinition.ReadModule(input, new ReaderParameters { InMemory = true, AssemblyResolver = resolver }))
        {
            foreach (TypeDefinition type in module.GetTypes())
            {
                if (IsCompilerGenerated(type) || (type.DeclaringType is { } outer && IsCompilerGenerated(outer)))
                {
                    continue;
                }

                changed += PublicizeType(type);
                foreach (MethodDefinition method in type.Methods)
                {
                    ushort access = (ushort)(method.Attributes & MethodAttributes.MemberAccessMask);
                    method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | (MethodAttributes)Widen(access);
                    changed += Widen(access) == access ? 0 : 1;
                }

                foreach (FieldDefinition field in type.Fields)
                {
                    ushort access = (ushort)(field.Attributes & FieldAttributes.FieldAccessMask);
                    field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)Widen(access);
                    changed += Widen(access) == access ? 0 : 1;
                }
            }

            module.Attributes &= ~ModuleAttributes.StrongNameSigned;
            module.Write(temporary);
        }

        // Replace in one step, so that an interrupted build never leaves a half-written copy behind.
        File.Move(temporary, output, overwrite: true);

        // The XML documentation file gives IDEs the same tooltips for the copy as for the original.
        string documentation = Path.ChangeExtension(input, ".xml");
        if (File.Exists(documentation))
        {
            File.Copy(documentation, Path.ChangeExtension(output, ".xml"), overwrite: true);
        }

        Console.WriteLine($"Publicized {changed} types and members: {input} -> {output}");
    }

    private static bool IsCompilerGenerated(TypeDefinition type) =>
        type.Name.StartsWith('<') || type.CustomAttributes.Any(a => a.AttributeType.FullName == CompilerGenerated);

    private static int PublicizeType(TypeDefinition type)
    {
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        TypeAttributes wanted = visibility switch
        {
            TypeAttributes.NotPublic => TypeAttributes.Public,
            TypeAttributes.NestedAssembly or TypeAttributes.NestedFamORAssem => TypeAttributes.NestedPublic,
            TypeAttributes.NestedFamANDAssem => TypeAttributes.NestedFamily,
            _ => visibility,
        };
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | wanted;
        return wanted == visibility ? 0 : 1;
    }

    // Methods and fields share one access encoding (ECMA-335 II.23.1.10 and II.23.1.5).
    private static ushort Widen(ushort access) => (MethodAttributes)access switch
    {
        MethodAttributes.Assembly or MethodAttributes.FamORAssem => (ushort)MethodAttributes.Public,
        MethodAttributes.FamANDAssem => (ushort)MethodAttributes.Family,
        _ => access,
    };
}
